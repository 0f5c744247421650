import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkedAbort } from './linked-abort';

const message = (reason: unknown): string => (reason as Error).message;

describe('linkedAbort', () => {
  it('aborts with the reason of whichever source aborts first, once', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedAbort([a.signal, b.signal]);
    const seen: unknown[] = [];
    linked.signal.addEventListener('abort', () => seen.push(linked.signal.reason));
    assert.equal(linked.signal.aborted, false);
    b.abort(new Error('stopped'));
    a.abort(new Error('client gone'));
    assert.equal(seen.length, 1);
    assert.equal(message(seen[0]), 'stopped');
  });

  it('is aborted at once when a source already is', () => {
    const a = new AbortController();
    a.abort(new Error('gone'));
    const linked = linkedAbort([new AbortController().signal, a.signal]);
    assert.equal(linked.signal.aborted, true);
    assert.equal(message(linked.signal.reason), 'gone');
  });

  it('can be aborted on its own without touching its sources', () => {
    const a = new AbortController();
    const linked = linkedAbort([a.signal]);
    linked.abort(new Error('refused'));
    assert.equal(linked.signal.aborted, true);
    assert.equal(a.signal.aborted, false);
  });
});
