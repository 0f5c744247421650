import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { InferenceSummary } from './inference-context';
import { RequestTracker } from './request-tracker';

void describe('RequestTracker: reasoning', () => {
  void it('counts reasoning deltas like text for TTFT and the usage fallback, signatures not at all', async () => {
    const summaries: InferenceSummary[] = [];
    const ctx = { requestId: 'r', surface: 'messages' as const, startedAt: performance.now(), startedAtMs: Date.now(), signal: new AbortController().signal };
    const t = new RequestTracker(ctx, { onFinished: (s) => summaries.push(s) }, { model: 'm', provider: 'p', upstreamModel: 'u', stream: true });
    t.see({ type: 'message_start', upstreamModel: 'u', inputTokens: 4 });
    await new Promise((r) => setTimeout(r, 15));
    t.see({ type: 'reasoning_start' });
    t.see({ type: 'reasoning_delta', text: 'hm' });
    t.see({ type: 'reasoning_delta', text: 'm' });
    t.see({ type: 'reasoning_signature', signature: 's' });
    t.see({ type: 'redacted_reasoning', data: 'x' });
    // The stream is cut before the upstream reported usage: what was generated, reasoning included, counts.
    assert.deepEqual(t.usage(), { inputTokens: 4, outputTokens: 2 });
    t.abandon();
    assert.equal(summaries.length, 1);
    assert.ok(summaries[0].ttftMs !== null && summaries[0].ttftMs >= 10, String(summaries[0].ttftMs));
  });
});
