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

void describe('RequestTracker: retained content', () => {
  void it("reports the digest's retained texts as the summary's content, and none when the digest keeps none", () => {
    const summaries: InferenceSummary[] = [];
    const ctx = { requestId: 'r', surface: 'chat.completions' as const, startedAt: performance.now(), startedAtMs: Date.now(), signal: new AbortController().signal };
    const fields = { model: 'm', provider: 'p', upstreamModel: 'u', stream: true };
    const out: string[] = [];
    const digest = { prompt() {}, output: (d: string) => void out.push(d), digests: () => ({ output_hmac: 'h' }) };
    const retaining = { ...digest, retained: () => ({ prompt: 'asked', output: out.join(''), days: 7 }) };
    const t = new RequestTracker(ctx, { onFinished: (s) => summaries.push(s) }, fields, retaining);
    t.see({ type: 'text_delta', text: 'ans' });
    t.see({ type: 'text_delta', text: 'wer' });
    t.succeed();
    new RequestTracker(ctx, { onFinished: (s) => summaries.push(s) }, fields, digest).succeed();
    assert.deepEqual(summaries[0].content, { prompt: 'asked', output: 'answer', days: 7 });
    assert.equal(summaries[0].attributes?.output_hmac, 'h');
    assert.equal('content' in summaries[1], false);
  });
});
