import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLimited, splitText } from './classifier-http';

describe('splitText', () => {
  it('keeps short texts whole and cuts long ones at whitespace, overlapping, covering everything', () => {
    assert.deepEqual(splitText('short', 10), ['short']);
    const text = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    const pieces = splitText(text, 300, 40);
    assert.ok(pieces.every((p) => p.length <= 300));
    for (let i = 0; i < 500; i++) assert.ok(pieces.some((p) => p.split(' ').includes(`w${i}`)), `w${i}`);
  });

  it('never splits a surrogate pair', () => {
    const pieces = splitText('😀'.repeat(1_000), 101, 10);
    for (const p of pieces) assert.ok(!/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(p));
  });
});

describe('runLimited', () => {
  it('keeps at most `limit` jobs in flight and returns results in order', async () => {
    let running = 0;
    let peak = 0;
    const jobs = Array.from({ length: 10 }, (_, i) => async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return i;
    });
    assert.deepEqual(await runLimited(jobs, 3), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(peak, 3);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    let started = 0;
    const jobs = Array.from({ length: 10 }, (_, i) => async () => {
      started++;
      if (i === 1) throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
    });
    await assert.rejects(runLimited(jobs, 2), /boom/);
    assert.ok(started <= 3, `started ${started}`);
  });
});
