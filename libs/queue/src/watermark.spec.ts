import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Watermark } from './watermark';

describe('Watermark', () => {
  it('a mark is reached once as many records have left as had been accepted when it was taken', async () => {
    const w = new Watermark();
    w.accept();
    w.accept();
    const mark = w.mark;
    w.accept(); // accepted after the mark: not waited for
    const reached = w.wait(mark, 1_000);
    w.advance(1);
    assert.equal(w.reached(mark), false);
    w.advance(1);
    assert.equal(await reached, true);
    assert.equal(w.reached(w.mark), false, 'the third record has not left');
  });

  it('resolves false after the timeout, and a later advance does not throw', async () => {
    const w = new Watermark();
    w.accept();
    const started = Date.now();
    assert.equal(await w.wait(w.mark, 30), false);
    assert.ok(Date.now() - started >= 25);
    w.advance(1);
    assert.equal(await w.wait(w.mark, 30), true, 'an already reached mark resolves at once');
  });
});
