import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { ContentHmacKeys, ContentVault, requestEventId, type AuditProducer, type AuditRecord, type AuditRequestRecordV2 } from '@gw/audit';
import type { InferenceContext, InferenceSummary } from '@gw/inference';
import { AuditObserver } from './audit.observer';

const org = randomUUID();
const vault = new ContentVault(randomBytes(32), 30);

function setup() {
  const records: AuditRecord[] = [];
  const producer = { record: (r: AuditRecord) => void records.push(r) } as unknown as AuditProducer;
  return { records, sut: new AuditObserver(producer, new ContentHmacKeys(randomBytes(32)), vault) };
}

const ctx = (retainContent?: { days: number | null }): InferenceContext => ({
  requestId: `req_${randomUUID()}`,
  surface: 'chat.completions',
  startedAt: performance.now(),
  startedAtMs: Date.now(),
  signal: new AbortController().signal,
  payer: { kind: 'api_key', orgId: org, apiKeyId: null, userId: null, projectId: null },
  ...(retainContent ? { retainContent } : {}),
});

/** What the request tracker reports once the digest has seen `prompt` and `deltas`. */
function finish(sut: AuditObserver, c: InferenceContext, prompt: string, deltas: string[]): void {
  const digest = sut.digestFor(c)!;
  digest.prompt(prompt);
  for (const d of deltas) digest.output(d);
  const content = digest.retained?.();
  const summary: InferenceSummary = {
    requestId: c.requestId, surface: c.surface, model: 'm', provider: 'p', upstreamModel: 'u', stream: true, status: 'ok', httpStatus: 200,
    errorCode: null, errorKind: null, finishReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2 }, startedAtMs: c.startedAtMs, finishedAtMs: c.startedAtMs + 5,
    latencyMs: 5, ttftMs: 1, attributes: digest.digests(), payer: c.payer, ...(content ? { content } : {}),
  };
  sut.onFinished(summary);
}

describe(AuditObserver.name, () => {
  it('a retaining policy: the record carries the texts sealed for its event, never in clear, with the expiry', () => {
    const { sut, records } = setup();
    const c = ctx({ days: 3 });
    finish(sut, c, 'secret prompt #4711!', ['secret ', 'answer']);
    const r = records[0] as AuditRequestRecordV2;
    // '#' and '!' appear in no id, hex digest or base64 ciphertext (a bare '4711' did, in about one run in 300).
    assert.equal(JSON.stringify(r).includes('#4711!'), false);
    assert.equal(JSON.stringify(r).includes('secret answer'), false);
    const event = requestEventId(c.requestId);
    assert.equal(vault.open(org, event, 'prompt', r.content!.prompt!), 'secret prompt #4711!');
    assert.equal(vault.open(org, event, 'output', r.content!.output!), 'secret answer');
    assert.equal(r.content!.expires_at, new Date(c.startedAtMs + 5 + 3 * 86_400_000).toISOString());
    assert.match(String(r.attributes?.prompt_hmac), /^[0-9a-f]{64}$/, 'the digests are still there');
  });

  it('no retention: no content; the anonymous free tier: no digest at all', () => {
    const { sut, records } = setup();
    finish(sut, ctx(), 'prompt', ['answer']);
    assert.equal('content' in records[0], false);
    assert.equal(sut.digestFor({ ...ctx({ days: null }), payer: undefined }), undefined);
  });
});
