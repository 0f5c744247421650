import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sanitizeAuditRecord } from './audit-record.sanitize';
import { makeAuditRecord } from './testing';

describe(sanitizeAuditRecord.name, () => {
  it('leaves a normal record as it is', () => {
    const rec = makeAuditRecord({ attributes: { policy: 'p1' } });
    assert.deepEqual(sanitizeAuditRecord(rec), rec);
  });

  it('makes every hostile field storable: text, integers, timestamps, attributes; keeps unknown fields', () => {
    const rec = {
      ...makeAuditRecord({
        model: `bad\u0000model${'x'.repeat(5_000)}`,
        errorCode: '\ud800',
        httpStatus: 77_777,
        inputTokens: 1e308,
        outputTokens: NaN,
        latencyMs: -3,
        ttftMs: Infinity,
        startedAt: '-271000-01-01T00:00:00.000Z',
        attributes: { 'k\u0000': 'v\u0000' },
      }),
      replicaId: 'r\u00001',
    };
    const out = sanitizeAuditRecord(rec);
    assert.equal(out.model.length, 256);
    assert.ok(out.model.startsWith('bad\uFFFDmodel'));
    assert.equal(out.errorCode, '\uFFFD');
    assert.deepEqual([out.httpStatus, out.inputTokens, out.outputTokens, out.latencyMs, out.ttftMs], [32_767, 2_147_483_647, 0, 0, 2_147_483_647]);
    assert.equal(out.startedAt, out.finishedAt, 'an impossible start falls back to the finish time');
    assert.deepEqual(out.attributes, { 'k\uFFFD': 'v\uFFFD' });
    assert.equal((out).replicaId, 'r\uFFFD1');
    assert.doesNotMatch(JSON.stringify(out), /\\u0000|\\ud[89a-f]/i);
  });
});
