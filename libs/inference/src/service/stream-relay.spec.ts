import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalEvent } from '../canonical/canonical-event';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import type { Started } from './dispatch';
import type { Admission, Meter } from './meter.port';
import type { RequestTracker } from './request-tracker';
import { StreamRelay } from './stream-relay';

/** What the relay told the tracker and the meter, in order. */
function harness(events: CanonicalEvent[], opts: { throwAfter?: Error; charge?: boolean; stopped?: boolean } = {}) {
  const log: string[] = [];
  let seen = 0;
  let returned = 0;
  const tracker = {
    see: () => void seen++,
    succeed: (_u: unknown, reason?: string) => log.push(`succeed:${reason ?? ''}`),
    fail: (err: Error) => log.push(`fail:${err.message}`),
    abandon: () => log.push('abandon'),
    usage: () => ({ inputTokens: 1, outputTokens: seen }),
  } as unknown as RequestTracker;
  const meter = {
    settle: (_a: Admission, usage: { outputTokens: number }) => {
      log.push(`settle:${usage.outputTokens}`);
      return opts.charge === false ? undefined : { remainingCredits: 9, creditsUsed: 1, costUsd: 0 };
    },
  } as unknown as Meter;
  const stopper = new AbortController();
  if (opts.stopped) stopper.abort();
  const s = { tracker, admission: {} as Admission, stopper } as unknown as Started;
  let i = 0;
  const iterator: AsyncIterator<CanonicalEvent> = {
    next: () => {
      if (i < events.length) return Promise.resolve({ done: false, value: events[i++] });
      return opts.throwAfter ? Promise.reject(opts.throwAfter) : Promise.resolve({ done: true, value: undefined });
    },
    return: () => {
      returned++;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  const relay = () => {
    const first = iterator.next();
    return first.then((f) => new StreamRelay(f, iterator, s, meter));
  };
  return { log, relay, returned: () => returned };
}

const text = (t: string): CanonicalEvent => ({ type: 'text_delta', text: t });
const kinds = (evs: CanonicalEvent[]) => evs.map((e) => (e.type === 'text_delta' ? e.text : e.type));

async function drain(it: AsyncIterable<CanonicalEvent>): Promise<{ events: CanonicalEvent[]; error?: Error }> {
  const events: CanonicalEvent[] = [];
  try {
    for await (const ev of it) events.push(ev);
  } catch (err) {
    return { events, error: err as Error };
  }
  return { events };
}

void describe('StreamRelay: tracking, settling and abandoning a provider stream', () => {
  void it('passes every event, then settles once and ends with the metering event', async () => {
    const h = harness([text('a'), text('b'), { type: 'message_stop', finishReason: 'end_turn' }]);
    const { events } = await drain(await h.relay());
    assert.deepEqual(kinds(events), ['a', 'b', 'message_stop', 'metering']);
    assert.deepEqual(h.log, ['settle:3', 'succeed:']);
  });

  void it('an error event: settled, the metering first, then the error, then nothing more', async () => {
    const err = new GatewayError(GatewayErrorCode.UpstreamError, 'cut');
    const h = harness([text('a'), { type: 'error', error: err }, text('never')]);
    const { events } = await drain(await h.relay());
    assert.deepEqual(kinds(events), ['a', 'metering', 'error']);
    assert.deepEqual(h.log, ['settle:2', 'fail:cut']);
    const noCharge = harness([text('a'), { type: 'error', error: err }], { charge: false });
    assert.deepEqual(kinds((await drain(await noCharge.relay())).events), ['a', 'error']);
  });

  void it('a provider that throws: the metering, then the same error thrown', async () => {
    const boom = new Error('socket gone');
    const h = harness([text('a')], { throwAfter: boom });
    const { events, error } = await drain(await h.relay());
    assert.deepEqual(kinds(events), ['a', 'metering']);
    assert.equal(error, boom);
    assert.deepEqual(h.log, ['settle:1', 'fail:socket gone']);
    const noCharge = harness([text('a')], { throwAfter: boom, charge: false });
    const second = await drain(await noCharge.relay());
    assert.deepEqual(kinds(second.events), ['a']);
    assert.equal(second.error, boom);
  });

  void it('after a policy stop an error or a throw is a normal content_filter end', async () => {
    const err = new GatewayError(GatewayErrorCode.ClientClosed, 'stopped');
    const h = harness([text('a'), { type: 'error', error: err }], { stopped: true });
    assert.deepEqual(kinds((await drain(await h.relay())).events), ['a', 'metering']);
    assert.deepEqual(h.log, ['settle:2', 'succeed:content_filter']);
    const thrown = harness([text('a')], { stopped: true, throwAfter: new Error('aborted') });
    const out = await drain(await thrown.relay());
    assert.equal(out.error, undefined);
    assert.deepEqual(thrown.log, ['settle:1', 'succeed:content_filter']);
  });

  void it('a consumer that stops early: settled once, abandoned, the provider stopped; later calls are done', async () => {
    const h = harness([text('a'), text('b'), text('c')]);
    const relay = await h.relay();
    for await (const ev of relay) if (ev.type === 'text_delta' && ev.text === 'b') break;
    assert.deepEqual(h.log, ['settle:2', 'abandon']);
    assert.equal(h.returned(), 1);
    assert.deepEqual(await relay.next(), { done: true, value: undefined });
    await relay.return();
    assert.deepEqual(h.log, ['settle:2', 'abandon'], 'a second return() changes nothing');
    const ended = harness([text('a')]);
    const done = await ended.relay();
    await drain(done);
    await done.return();
    assert.deepEqual(ended.log, ['settle:1', 'succeed:'], 'return() after the end does not abandon');
    assert.equal(ended.returned(), 0);
  });
});
