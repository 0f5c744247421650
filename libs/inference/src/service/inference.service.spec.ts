import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { CanonicalEvent, Usage } from '../canonical/canonical-event';
import type { CanonicalRequest } from '../canonical/canonical-request';
import type { ModelCatalog } from '../catalog/model-catalog';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import type { InferenceContext } from './inference-context';
import { InferenceService } from './inference.service';
import type { Admission, AdmitInput, Charge, Meter } from './meter.port';

const PAYER = { kind: 'api_key' as const, orgId: 'org', apiKeyId: 'key', userId: null, projectId: null };

/** Records what the service asks of the meter, in order. */
class FakeMeter implements Meter {
  readonly calls: string[] = [];
  admitted?: AdmitInput;
  progress?: () => Usage;
  async admit(input: AdmitInput): Promise<Admission> {
    this.admitted = input;
    this.calls.push('admit');
    return { capped: false, state: {} };
  }
  settle(_a: Admission, usage: Usage, reached: boolean): Charge {
    this.calls.push(`settle ${usage.outputTokens} ${reached}`);
    return { remainingCredits: 9, creditsUsed: 1, costUsd: 0.00001 };
  }
  watch(_a: Admission, progress: () => Usage): void {
    this.calls.push('watch');
    this.progress = progress;
  }
}

function service(events: CanonicalEvent[], meter: FakeMeter): InferenceService {
  const provider = {
    id: 'p',
    async *stream() {
      yield* events;
    },
  };
  const catalog = { resolve: () => ({ model: { id: 'm', upstream_model: 'u' }, provider }) } as unknown as ModelCatalog;
  return new InferenceService(catalog, undefined, meter);
}

const request = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: true } as unknown as CanonicalRequest;
const ctx = (): InferenceContext => ({ requestId: 'r1', surface: 'messages', startedAt: performance.now(), startedAtMs: Date.now(), signal: new AbortController().signal, payer: PAYER });

describe('InferenceService streams: crash-recovery hooks and failed-stream billing', () => {
  it('hands admission the facts a peer needs, watches progress once the upstream answered, stops at settlement', async () => {
    const meter = new FakeMeter();
    const sut = service([{ type: 'message_start', upstreamModel: 'u', inputTokens: 4 }, { type: 'text_delta', text: 'a' }, { type: 'message_stop', finishReason: 'end_turn' }], meter);
    const handle = await sut.openStream(request, ctx());
    assert.deepEqual(meter.calls, ['admit', 'watch']);
    const { provider, upstreamModel, surface, stream } = meter.admitted!;
    assert.deepEqual({ provider, upstreamModel, surface, stream }, { provider: 'p', upstreamModel: 'u', surface: 'messages', stream: true });
    for await (const ev of handle.events) void ev;
    assert.deepEqual(meter.progress!(), { inputTokens: 4, outputTokens: 1 }, 'the probe reads the tracker');
    assert.deepEqual(meter.calls, ['admit', 'watch', 'settle 1 true']);
  });

  it('a stream failing mid-way is settled first and yields its charge and usage right before the error event', async () => {
    const meter = new FakeMeter();
    const error = new GatewayError(GatewayErrorCode.UpstreamError, 'broke');
    const sut = service([{ type: 'message_start', upstreamModel: 'u', inputTokens: 4 }, { type: 'text_delta', text: 'a' }, { type: 'text_delta', text: 'b' }, { type: 'error', error }], meter);
    const seen: CanonicalEvent[] = [];
    for await (const ev of (await sut.openStream(request, ctx())).events) seen.push(ev);
    assert.deepEqual(seen.slice(-2), [
      { type: 'metering', charge: { remainingCredits: 9, creditsUsed: 1, costUsd: 0.00001 }, usage: { inputTokens: 4, outputTokens: 2 } },
      { type: 'error', error },
    ]);
    assert.deepEqual(meter.calls.at(-1), 'settle 2 true');
  });
});
