import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditRecord, AuditRequestRecordV2 } from '../audit-record';
import { sanitizeAuditRecord } from '../audit-record.sanitize';
import { requestEventId } from '../chain/record-to-event';
import { ContentVault } from '../content/content-vault';
import { makeAuditRecord } from '../testing';
import { parseAuditJob } from './audit.queue';

const vault = new ContentVault(randomBytes(32), 30);
const org = randomUUID();

function request(over: Partial<AuditRequestRecordV2> = {}): AuditRequestRecordV2 {
  return { ...makeAuditRecord(), v: 2, eventType: 'enforcement', orgId: org, projectId: null, principal: { kind: 'api_key', keyId: null, userId: null }, ...over };
}

const problem = (data: unknown): string => {
  try {
    parseAuditJob(data);
  } catch (err) {
    return (err as Error).message;
  }
  return assert.fail('expected the record to be refused');
};

describe(parseAuditJob.name, () => {
  it('accepts every earlier version unchanged: v1, v2 requests without content, v2 actions', () => {
    const v1 = makeAuditRecord();
    const action: AuditRecord = { v: 2, eventType: 'admin', eventId: randomUUID(), orgId: org, projectId: null, principal: { kind: 'user', keyId: null, userId: 'u' }, occurredAt: new Date().toISOString(), attributes: { action: 'audit.read' } };
    for (const r of [v1, request(), action]) assert.equal(parseAuditJob(r), r);
  });

  it('accepts a v2 request with sealed content, and keeps it through sanitising', () => {
    const r = request();
    r.content = vault.seal(org, requestEventId(r.requestId), { prompt: 'hello', output: 'world' }, new Date(), null);
    const clean = sanitizeAuditRecord(r);
    assert.deepEqual(parseAuditJob(clean), r);
  });

  it('refuses content that is not sealed, not for a request, or malformed (naming no value)', () => {
    const sealed = vault.seal(org, randomUUID(), { prompt: 'p', output: null }, new Date(), null);
    assert.match(problem(request({ content: { ...sealed, prompt: 'plain text prompt' } })), /content is malformed/);
    assert.doesNotMatch(problem(request({ content: { ...sealed, prompt: 'plain text prompt' } })), /plain text/);
    assert.match(problem(request({ content: { ...sealed, expires_at: 'soon' } })), /content is malformed/);
    assert.match(problem(request({ content: { ...sealed, truncated: ['everything'] as never } })), /content is malformed/);
    assert.match(problem({ ...makeAuditRecord(), content: sealed }), /content is only for request records/);
  });
});
