import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { CanonicalEvent, CanonicalResponse, Usage } from '../canonical/canonical-event';
import type { CanonicalRequest } from '../canonical/canonical-request';
import type { ModelCatalog } from '../catalog/model-catalog';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import type { ProviderRequest } from '../providers/model-provider';
import type { CallSignal } from './call-abort';
import { Headroom } from './headroom';
import type { InferenceContext, InferenceSummary } from './inference-context';
import { InferenceService } from './inference.service';
import type { Admission, AdmitInput, Charge, Forecast, Meter } from './meter.port';

const PAYER = { kind: 'api_key' as const, orgId: 'org', apiKeyId: 'key', userId: null, projectId: null };

/** A meter whose admission the test resolves by hand, with a fixed forecast. */
class ManualMeter implements Meter {
  readonly log: string[] = [];
  private resolveAdmit?: (a: Admission) => void;
  private rejectAdmit?: (e: unknown) => void;
  constructor(private readonly predicted: Forecast | undefined) {}
  admit(_input: AdmitInput): Promise<Admission> {
    this.log.push('admit');
    return new Promise((resolve, reject) => {
      this.resolveAdmit = resolve;
      this.rejectAdmit = reject;
    });
  }
  forecast(): Forecast | undefined {
    return this.predicted;
  }
  grant(maxTokens: number | undefined): void {
    this.log.push(`granted ${maxTokens}`);
    this.resolveAdmit!({ maxTokens, capped: false, state: { maxTokens } });
  }
  refuse(err: unknown): void {
    this.log.push('refused');
    this.rejectAdmit!(err);
  }
  settle(a: Admission, usage: Usage, reached: boolean): Charge {
    this.log.push(`settle ${a.maxTokens} ${usage.outputTokens} ${reached}`);
    return { remainingCredits: 1, creditsUsed: 1, costUsd: 0 };
  }
  watch(): void {
    this.log.push('watch');
  }
}

/** A provider recording each call's cap and whether its signal was aborted; answers after `delayMs` unless aborted. */
function provider(log: string[], delayMs = 5) {
  const signals: CallSignal[] = [];
  const answer = (pr: ProviderRequest): CanonicalResponse =>
    ({ text: `cap ${pr.request.maxTokens}`, usage: { inputTokens: 1, outputTokens: 2 }, finishReason: 'end_turn', upstreamModel: 'u' }) as unknown as CanonicalResponse;
  const wait = (signal: CallSignal) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, delayMs);
      signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
    });
  return {
    signals,
    id: 'p',
    async complete(pr: ProviderRequest): Promise<CanonicalResponse> {
      log.push(`upstream ${pr.request.maxTokens}`);
      signals.push(pr.signal);
      await wait(pr.signal);
      return answer(pr);
    },
    async *stream(pr: ProviderRequest): AsyncGenerator<CanonicalEvent> {
      log.push(`upstream ${pr.request.maxTokens}`);
      signals.push(pr.signal);
      await wait(pr.signal);
      yield { type: 'message_start', upstreamModel: 'u', inputTokens: 1 };
      yield { type: 'text_delta', text: 'a' };
      yield { type: 'message_stop', finishReason: 'end_turn' };
    },
  };
}

function setup(forecast: Forecast | undefined) {
  const meter = new ManualMeter(forecast);
  const p = provider(meter.log);
  const catalog = { resolve: () => ({ model: { id: 'm', upstream_model: 'u' }, provider: p }) } as unknown as ModelCatalog;
  const summaries: InferenceSummary[] = [];
  return { meter, p, summaries, sut: new InferenceService(catalog, { onFinished: (x) => summaries.push(x) }, meter) };
}

const request = (stream: boolean) => ({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream }) as unknown as CanonicalRequest;
const ctx = (extra: Partial<InferenceContext> = {}): InferenceContext => ({
  requestId: 'r1',
  surface: 'chat.completions',
  startedAt: performance.now(),
  startedAtMs: Date.now(),
  signal: new AbortController().signal,
  payer: PAYER,
  ...extra,
});
const tick = () => new Promise((r) => setImmediate(r));
const noCredits = new GatewayError(GatewayErrorCode.PaymentRequired, 'no credits', { wireCode: 'insufficient_credits' });

describe('speculative dispatch: the call goes upstream while its admission is in flight', () => {
  it('with a forecast, the upstream is called before admission answers; the answer is used once it granted', async () => {
    const { meter, summaries, sut } = setup({ maxTokens: 100 });
    const done = sut.complete(request(false), ctx());
    await tick();
    assert.deepEqual(meter.log, ['admit', 'upstream 100'], 'sent before admission answered, with the forecast cap');
    meter.grant(100);
    const res = await done;
    assert.equal(res.text, 'cap 100');
    assert.deepEqual(meter.log, ['admit', 'upstream 100', 'granted 100', 'watch', 'settle 100 2 true']);
    assert.ok((summaries[0].exactMs?.upstream ?? -1) >= 0, 'the upstream time is counted from the speculative dispatch');
  });

  it('without a forecast the upstream waits for admission (no speculation)', async () => {
    const { meter, sut } = setup(undefined);
    const done = sut.complete(request(false), ctx());
    await tick();
    assert.deepEqual(meter.log, ['admit']);
    meter.grant(50);
    await done;
    assert.deepEqual(meter.log, ['admit', 'granted 50', 'watch', 'upstream 50', 'settle 50 2 true']);
  });

  it('a refusal aborts the speculative call and is the error; nothing is settled or watched', async () => {
    const { meter, p, summaries, sut } = setup({ maxTokens: 100 });
    const done = sut.complete(request(false), ctx());
    await tick();
    meter.refuse(noCredits);
    await assert.rejects(done, (e: unknown) => e === noCredits);
    assert.equal(p.signals[0].aborted, true, 'the upstream call was aborted');
    assert.deepEqual(meter.log, ['admit', 'upstream 100', 'refused']);
    // Reported as a refusal that never reached the upstream (no upstream time: not an upstream error in the metrics).
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0].errorKind, GatewayErrorCode.PaymentRequired);
    assert.equal(summaries[0].exactMs?.upstream, null);
  });

  it("admission's round trip is timed from asked to answered: speculative or not, streamed or not, refusals too", async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const [forecast, stream, refuse] of [[{ maxTokens: 100 }, false, false], [undefined, false, false], [{ maxTokens: 100 }, true, false], [{ maxTokens: 100 }, false, true]] as const) {
      const { meter, summaries, sut } = setup(forecast);
      const done = stream ? sut.openStream(request(true), ctx()).then(async (h) => { for await (const _ of h.events) void _; }) : sut.complete(request(false), ctx());
      await sleep(25);
      if (refuse) meter.refuse(noCredits);
      else meter.grant(100);
      await done.catch(() => undefined);
      const t = summaries[0].exactMs!;
      const label = JSON.stringify({ forecast, stream, refuse });
      assert.ok(t.admission! >= 20, `${label}: admission took the 25 ms the meter waited, read ${t.admission}`);
      assert.ok(t.admission! <= t.latency, label);
    }
  });

  it('without a meter there is no admission to time', async () => {
    const p = provider([]);
    const catalog = { resolve: () => ({ model: { id: 'm', upstream_model: 'u' }, provider: p }) } as unknown as ModelCatalog;
    const summaries: InferenceSummary[] = [];
    await new InferenceService(catalog, { onFinished: (x) => summaries.push(x) }).complete(request(false), ctx());
    assert.equal(summaries[0].exactMs?.admission, null);
  });

  it('an admission with a lower cap aborts the speculative call and sends it again with that cap', async () => {
    const { meter, p, sut } = setup({ maxTokens: 100 });
    const done = sut.complete(request(false), ctx());
    await tick();
    meter.grant(40);
    const res = await done;
    assert.equal(res.text, 'cap 40');
    assert.equal(p.signals[0].aborted, true);
    assert.deepEqual(meter.log, ['admit', 'upstream 100', 'granted 40', 'watch', 'upstream 40', 'settle 40 2 true']);
  });

  it('a deferred rate-limit gate not forecast to open disables speculation', async () => {
    const { meter, sut } = setup({ maxTokens: 100 });
    const done = sut.complete(request(false), ctx({ gate: Promise.resolve(), gateLikely: false }));
    await tick();
    assert.deepEqual(meter.log, ['admit']);
    meter.grant(100);
    await done;
    assert.deepEqual(meter.log.slice(1), ['granted 100', 'watch', 'upstream 100', 'settle 100 2 true']);
  });

  it('a gate refusal with a speculative call: the call is aborted, the granted admission given back, the 429 is the error', async () => {
    const { meter, p, sut } = setup({ maxTokens: 100 });
    const limited = new GatewayError(GatewayErrorCode.RateLimited, 'slow down');
    let refuse!: (e: unknown) => void;
    const gate = new Promise<void>((_r, j) => (refuse = j));
    const done = sut.complete(request(false), ctx({ gate, gateLikely: true }));
    await tick();
    meter.grant(100);
    refuse(limited);
    await assert.rejects(done, (e: unknown) => e === limited);
    assert.equal(p.signals[0].aborted, true);
    assert.deepEqual(meter.log, ['admit', 'upstream 100', 'granted 100', 'settle 100 0 false']);
  });

  it('streams: nothing is read before admission; a refusal aborts the stream and fails the open', async () => {
    const { meter, p, sut } = setup({ maxTokens: 100 });
    const opening = sut.openStream(request(true), ctx());
    await tick();
    assert.deepEqual(meter.log, ['admit', 'upstream 100']);
    meter.refuse(noCredits);
    await assert.rejects(opening, (e: unknown) => e === noCredits);
    assert.equal(p.signals[0].aborted, true);
  });

  it('streams: granted as forecast, the speculative stream is the one relayed', async () => {
    const { meter, sut } = setup({ maxTokens: 100 });
    const opening = sut.openStream(request(true), ctx());
    await tick();
    meter.grant(100);
    const seen: string[] = [];
    for await (const ev of (await opening).events) seen.push(ev.type);
    assert.deepEqual(seen, ['message_start', 'text_delta', 'message_stop', 'metering']);
    assert.deepEqual(meter.log, ['admit', 'upstream 100', 'granted 100', 'watch', 'settle 100 1 true']);
  });

  it('a client gone before dispatch: the pending admission is given back once it answers', async () => {
    const { meter, sut } = setup({ maxTokens: 100 });
    const ac = new AbortController();
    ac.abort(new Error('client disconnected'));
    const done = sut.complete(request(false), ctx({ signal: ac.signal }));
    await assert.rejects(done, (e: unknown) => e instanceof GatewayError && e.code === GatewayErrorCode.ClientClosed);
    meter.grant(100);
    await tick();
    assert.deepEqual(meter.log, ['admit', 'granted 100', 'settle 100 0 false']);
  });
});

describe('Headroom: the forecast evidence', () => {
  it('trusts only a fresh answer, takes from it, and discounts calls still waiting for theirs', () => {
    const h = new Headroom(1_000);
    assert.equal(h.take('org', 1, 0), false, 'unknown: no forecast');
    h.begin('org', 3);
    h.begin('org', 4);
    h.settle('org', 3, 10, 0); // 10 left after the first; the second (4) is still in flight
    assert.equal(h.take('org', 7, 1), false, '10 - 4 in flight = 6 < 7');
    assert.equal(h.take('org', 6, 1), true);
    assert.equal(h.take('org', 1, 1), false, 'taken');
    h.settle('org', 4, 5, 2);
    assert.equal(h.take('org', 5, 1_002), true);
    h.settle('org', 0, 5, 2);
    assert.equal(h.take('org', 1, 1_002), true, 'fresh up to freshMs');
  });

  it('after a pause lets one call go ahead until an answer renews the entry, and none past probeMs', () => {
    const h = new Headroom(1_000, 10_000, 60_000);
    h.settle('org', 0, 10, 0);
    assert.equal(h.take('org', 11, 5_000), false, 'short, however old');
    assert.equal(h.take('org', 3, 5_000), true, 'the first call after the pause probes');
    assert.equal(h.take('org', 3, 5_001), false, 'the rest of a burst waits for an answer');
    h.settle('org', 3, 7, 5_010);
    assert.equal(h.take('org', 3, 5_011), true, 'renewed: fresh again');
    assert.equal(h.take('org', 3, 5_012), true);
    assert.equal(h.take('org', 3, 5_013), false, '7 - 3 - 3 = 1 < 3');
    h.settle('org', 0, 10, 6_000);
    assert.equal(h.take('org', 1, 66_001), false, 'older than probeMs: no forecast');
    h.settle('org', 0, 0, 70_000);
    assert.equal(h.take('org', 1, 80_000), false, 'a refusal (0 left) is never probed past');
  });

  it('a lease grant renews the entry like an answer: the next pause probes again, calls in flight still discounted', () => {
    const h = new Headroom(1_000, 10_000, 60_000);
    h.renew('org', 20, 0); // no entry yet: starts one
    assert.equal(h.take('org', 3, 5_000), true, 'the first call after a pause probes');
    assert.equal(h.take('org', 3, 5_001), false, 'probed: the rest waits');
    h.renew('org', 14, 5_002); // that call was granted from the lease
    assert.equal(h.take('org', 3, 5_003), true, 'fresh again');
    assert.equal(h.take('org', 3, 9_000), true, 'and after the next pause, one more probe');
    assert.equal(h.take('org', 3, 9_001), false);
    h.begin('org', 10); // a per-call reservation in flight
    h.renew('org', 14, 9_002);
    assert.equal(h.take('org', 5, 9_003), false, '14 - 10 in flight = 4 < 5');
    assert.equal(h.take('org', 4, 9_003), true);
  });
});
