import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';
import { LocalGgufProvider } from './local-gguf.provider';
import { collect, config, last, req } from './local-gguf.test-helpers';

void describe('LocalGgufProvider abort', () => {
  const provider = new LocalGgufProvider(config());
  before(async () => {
    await provider.init();
  });
  after(async () => {
    await provider.close();
  });

  void it('stops promptly on abort, reports client_closed, and frees the sequence', async () => {
    const ac = new AbortController();
    const events: CanonicalEvent[] = [];
    for await (const ev of provider.stream(req({ maxTokens: 1500, sampling: { seed: 9, temperature: 1 } }, ac.signal))) {
      events.push(ev);
      if (ev.type === 'text_delta' && !ac.signal.aborted) ac.abort();
    }
    const end = last(events);
    assert.ok(end.type === 'error', `last event ${end.type}`);
    assert.equal(end.error.code, GatewayErrorCode.ClientClosed);
    assert.ok(events.filter((e) => e.type === 'text_delta').length < 50);
    assert.equal(provider.queueStats().running, 0);
    const next = await provider.complete(req({ maxTokens: 10 }));
    assert.equal(next.usage.outputTokens, 10);
  });

  void it('complete() rejects with client_closed when aborted mid-generation', async () => {
    const ac = new AbortController();
    const pending = provider.complete(req({ maxTokens: 1500, sampling: { seed: 4, temperature: 1 } }, ac.signal));
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(pending, { code: GatewayErrorCode.ClientClosed });
    assert.equal(provider.queueStats().running, 0);
  });

  void it('frees the sequence when the consumer stops reading early', async () => {
    for await (const ev of provider.stream(req({ maxTokens: 1500 }))) if (ev.type === 'text_delta') break;
    assert.deepEqual(provider.queueStats(), { running: 0, waiting: 0, capacity: 2, maxQueue: 4 });
  });
});

void describe('LocalGgufProvider queue (1 sequence, max_queue 1)', () => {
  const provider = new LocalGgufProvider(config({ sequences: 1, max_queue: 1 }));
  before(async () => {
    await provider.init();
  });
  after(async () => {
    await provider.close();
  });

  void it('runs one, queues one, refuses the third; an aborted waiter leaves the queue', async () => {
    const running = provider.stream(req({ maxTokens: 200 }))[Symbol.asyncIterator]();
    const queuedAbort = new AbortController();
    const queued = provider.stream(req({ maxTokens: 5 }, queuedAbort.signal))[Symbol.asyncIterator]();
    const refused = provider.stream(req({ maxTokens: 5 }))[Symbol.asyncIterator]();
    const firstRunning = running.next();
    const firstQueued = queued.next();
    const firstRefused = refused.next();
    assert.deepEqual(provider.queueStats(), { running: 1, waiting: 1, capacity: 1, maxQueue: 1 });
    await assert.rejects(firstRefused, (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, GatewayErrorCode.UpstreamOverloaded);
      assert.equal(err.status, 529);
      assert.match(err.message, /local model queue is full/);
      return true;
    });

    queuedAbort.abort();
    assert.equal(provider.queueStats().waiting, 0, 'aborted waiter left at once');
    await assert.rejects(firstQueued, { code: GatewayErrorCode.ClientClosed });

    // The freed queue slot is usable again while the first request still runs.
    const later = provider.complete(req({ maxTokens: 5 }));
    assert.equal(provider.queueStats().waiting, 1);
    const head = await firstRunning;
    assert.equal(head.value?.type, 'message_start');
    const rest = await collect({ [Symbol.asyncIterator]: () => running });
    assert.equal(last(rest).type, 'message_stop');
    assert.equal((await later).usage.outputTokens, 5);
    assert.deepEqual(provider.queueStats(), { running: 0, waiting: 0, capacity: 1, maxQueue: 1 });
  });

  void it('close() ends running generations and refuses queued ones', async () => {
    const closing = new LocalGgufProvider(config({ sequences: 1, max_queue: 2 }));
    await closing.init();
    const running = collect(closing.stream(req({ maxTokens: 1500 })));
    const queued = closing.complete(req({ maxTokens: 5 })).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 20));
    await closing.close();
    const events = await running;
    const end = last(events);
    assert.ok(end.type === 'error' && end.error.code === GatewayErrorCode.UpstreamUnavailable, `last event ${end.type}`);
    const refused = await queued;
    assert.ok(refused instanceof GatewayError && refused.code === GatewayErrorCode.UpstreamUnavailable);
  });

  void it('refuses requests after close', async () => {
    const closing = new LocalGgufProvider(config({ sequences: 1 }));
    await assert.rejects(closing.complete(req()), { code: GatewayErrorCode.UpstreamUnavailable });
    await closing.init();
    await closing.close();
    assert.equal(closing.isReady(), false);
    await assert.rejects(closing.complete(req()), { code: GatewayErrorCode.UpstreamUnavailable });
  });
});

void describe('LocalGgufProvider throughput', () => {
  void it('generates at a useful rate with 1 thread', async (t) => {
    const provider = new LocalGgufProvider(config({ sequences: 1 }));
    await provider.init();
    try {
      await provider.complete(req({ maxTokens: 16 }));
      const started = performance.now();
      const res = await provider.complete(req({ maxTokens: 256, sampling: { seed: 3, temperature: 1 } }));
      const rate = res.usage.outputTokens / ((performance.now() - started) / 1000);
      t.diagnostic(`${res.usage.outputTokens} tokens at ${Math.round(rate)} tokens/s`);
      assert.ok(rate > 100, `only ${Math.round(rate)} tokens/s`);
    } finally {
      await provider.close();
    }
  });
});
