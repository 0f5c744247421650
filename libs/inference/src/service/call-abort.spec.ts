import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { CallAbort, linkedAbort } from './call-abort';

const message = (reason: unknown): string => (reason as Error).message;

describe('CallAbort', () => {
  it('runs each listener once, in the order added, with the first reason kept', () => {
    const call = new CallAbort();
    const seen: string[] = [];
    const a = (): void => void seen.push(`a:${message(call.reason)}`);
    call.addEventListener('abort', a);
    call.addEventListener('abort', a); // the same listener twice is one listener
    call.addEventListener('abort', () => seen.push('b'), { once: true });
    assert.equal(call.aborted, false);
    call.abort(new Error('first'));
    call.abort(new Error('second'));
    assert.deepEqual(seen, ['a:first', 'b']);
    assert.equal(message(call.reason), 'first');
    call.addEventListener('abort', () => seen.push('late'));
    call.abort(new Error('third'));
    assert.deepEqual(seen, ['a:first', 'b'], 'a listener added after the abort never runs');
  });

  it('forgets a removed listener and defaults the reason to an AbortError', () => {
    const call = new CallAbort();
    let ran = 0;
    const listener = (): void => void ran++;
    call.addEventListener('abort', listener);
    call.removeEventListener('abort', listener);
    call.abort();
    assert.equal(ran, 0);
    assert.equal((call.reason as DOMException).name, 'AbortError');
    assert.equal(call.signal, call);
  });

  it('runs the other listeners when one throws, and rethrows that error on the next tick', (t) => {
    const ticks: (() => void)[] = [];
    t.mock.method(process, 'nextTick', (fn: () => void) => void ticks.push(fn));
    const call = new CallAbort();
    const seen: string[] = [];
    call.addEventListener('abort', () => {
      throw new Error('listener failed');
    });
    call.addEventListener('abort', () => seen.push('after'));
    call.abort(new Error('x'));
    t.mock.restoreAll();
    assert.deepEqual(seen, ['after']);
    assert.equal(ticks.length, 1);
    const [rethrow] = ticks;
    assert.throws(() => rethrow?.(), /listener failed/);
  });

  it('aborts an undici request as an AbortSignal does, with its reason', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const call = new CallAbort();
      const { port } = server.address() as AddressInfo;
      const pending = request(`http://127.0.0.1:${port}/`, { signal: call });
      setTimeout(() => call.abort(new Error('client gone')), 20);
      await assert.rejects(pending, /client gone/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('linkedAbort', () => {
  it('aborts with the reason of whichever source aborts first, once', () => {
    const a = new AbortController();
    const b = new CallAbort();
    const linked = linkedAbort([a.signal, b]);
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
    const linked = linkedAbort([new CallAbort(), a.signal]);
    assert.equal(linked.signal.aborted, true);
    assert.equal(message(linked.signal.reason), 'gone');
  });

  it('can be aborted on its own without touching its sources', () => {
    const a = new CallAbort();
    const linked = linkedAbort([a]);
    linked.abort(new Error('refused'));
    assert.equal(linked.signal.aborted, true);
    assert.equal(a.aborted, false);
  });
});
