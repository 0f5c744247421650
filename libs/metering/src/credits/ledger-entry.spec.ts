import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeUsageEntry, type UsageEntry } from './ledger-entry';

const entry = (over: Partial<UsageEntry> = {}): UsageEntry => ({
  v: 1,
  requestId: 'req_1',
  orgId: '6f1c3f0e-8f7a-4d35-9a59-0b7d0f1a2b3c',
  apiKeyId: null,
  userId: null,
  model: 'abliterated-model',
  inputTokens: 10,
  outputTokens: 20,
  credits: 1,
  costUsd: 0.00015,
  occurredAt: '2026-12-04T07:00:00.000Z',
  ...over,
});

describe(sanitizeUsageEntry.name, () => {
  it('leaves a normal entry as it is', () => {
    assert.deepEqual(sanitizeUsageEntry(entry()), entry());
  });

  it('replaces NUL, clamps counts to integer, keeps credits and cost finite', () => {
    const out = sanitizeUsageEntry(entry({ model: 'bad\u0000model', inputTokens: 3e9, outputTokens: -1, credits: Infinity, costUsd: NaN, occurredAt: 'x' }));
    assert.equal(out.model, 'bad\uFFFDmodel');
    assert.deepEqual([out.inputTokens, out.outputTokens, out.credits, out.costUsd], [2_147_483_647, 0, Number.MAX_SAFE_INTEGER, 0]);
    assert.ok(!Number.isNaN(Date.parse(out.occurredAt)));
  });
});
