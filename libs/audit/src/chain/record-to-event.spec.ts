import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditRequestRecordV2 } from '../audit-record';
import { ContentVault } from '../content/content-vault';
import { makeAuditRecord } from '../testing';
import { recordToEvent, retainedContent } from './record-to-event';

const vault = new ContentVault(randomBytes(32), 30);
const request = (orgId: string | null): AuditRequestRecordV2 => ({
  ...makeAuditRecord({ attributes: { policy: { decision: 'allow' } } }),
  v: 2,
  eventType: 'enforcement',
  orgId,
  projectId: null,
  principal: { kind: 'api_key', keyId: null, userId: null },
});

describe(recordToEvent.name, () => {
  it('an event with retained content says so (hashed like any attribute), and never holds the sealed text', () => {
    const r = request(randomUUID());
    r.content = vault.seal(r.orgId!, randomUUID(), { prompt: 'x'.repeat(1_000_001), output: 'o' }, new Date(), null);
    const e = recordToEvent(r);
    assert.equal(e.attributes.content_retained, true);
    assert.deepEqual(e.attributes.content_truncated, ['prompt']);
    assert.equal(JSON.stringify(e).includes(r.content.output!), false);
    assert.equal(retainedContent(r), r.content);
  });

  it('without content, the event is what it always was', () => {
    const r = request(randomUUID());
    assert.deepEqual(recordToEvent(r).attributes, { policy: { decision: 'allow' } });
    assert.equal(retainedContent(r), null);
    assert.equal(retainedContent(makeAuditRecord()), null, 'version 1');
  });

  it('content of no organisation is dropped (that chain has no reader)', () => {
    const r = request(null);
    r.content = vault.seal('none', randomUUID(), { prompt: 'p', output: null }, new Date(), null);
    assert.equal(retainedContent(r), null);
    assert.equal(recordToEvent(r).attributes.content_retained, undefined);
  });
});
