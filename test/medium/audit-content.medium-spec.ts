import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import {
  AuditChainService,
  AuditReader,
  ChainVerifier,
  contentView,
  ContentVault,
  requestEventId,
  RetentionSettings,
  type AuditRecord,
  type AuditRequestRecordV2,
  type ChainedAuditEvent,
} from '@gw/audit';
import { createDataSource } from '@gw/database';
import { ensurePartitions } from '../../libs/audit/src/chain/audit-partitions';
import { AuditRepository } from '../../libs/audit/src/audit.repository';
import { makeAuditRecord } from '../../libs/audit/src/testing';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

const DAY = 86_400_000;
const vault = new ContentVault(randomBytes(32), 30);

/** A v2 request record of `org`; with `texts`, sealed content as the inference plane makes it. */
function request(org: string, texts?: { prompt: string; output: string | null }, days: number | null = null, at = new Date()): AuditRequestRecordV2 {
  const r: AuditRequestRecordV2 = { ...makeAuditRecord(), v: 2, eventType: 'enforcement', orgId: org, projectId: null, principal: { kind: 'api_key', keyId: null, userId: null } };
  if (texts) r.content = vault.seal(org, requestEventId(r.requestId), texts, at, days);
  return r;
}

describe('retained audit content (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let reader: AuditReader;
  const writer = (now?: Date) => new AuditRepository(ds, { signer: null, checkpointEvery: 1_000, dedupeWindowMs: 3600_000, ...(now ? { now: () => now } : {}) });
  const chain = () => new AuditChainService(ds, new AuditRepository(ds), { inboxPollMs: 1_000, checkpointIntervalMs: 60_000, partitionsAhead: 1 }, null);
  const contentRows = (org: string) =>
    ds.query<Array<{ event_id: string; prompt: string | null; output: string | null; key_id: string; expires_at: Date }>>(`SELECT event_id::text AS event_id, prompt, output, key_id, expires_at FROM audit_content WHERE org_id = $1`, [org]);
  const eventOf = async (org: string, r: AuditRequestRecordV2): Promise<ChainedAuditEvent> => (await reader.event(org, requestEventId(r.requestId)))!;
  const verify = async (org: string) => {
    const from = await reader.retainedFrom(org);
    const head = await reader.head(org);
    const v = new ChainVerifier({ orgId: org, publicKeys: new Map(), startSeq: from });
    for await (const e of reader.events(org, from, head.seq)) v.addEvent(e);
    return v.finish(head);
  };

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 4).initialize();
    reader = new AuditReader(ds);
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes retained content sealed (no plaintext in the row) beside an event that says so; the reader opens it', async () => {
    const org = randomUUID();
    const r = request(org, { prompt: 'the quarterly numbers are 4711', output: 'I cannot share that' });
    assert.equal(await writer().insertBatch([r]), 1);
    const [row] = await contentRows(org);
    assert.equal(row.event_id, requestEventId(r.requestId));
    assert.equal(row.key_id, vault.keyId);
    assert.equal(`${row.prompt}${row.output}`.includes('4711'), false, 'the column holds no plaintext');
    assert.equal(`${row.prompt}${row.output}`.includes('share'), false);
    const event = await eventOf(org, r);
    assert.equal(event.attributes.content_retained, true);
    const view = contentView(vault, event, await reader.content(org, event.event_id));
    assert.deepEqual([view.content?.prompt, view.content?.output], ['the quarterly numbers are 4711', 'I cannot share that']);
    assert.equal((await verify(org)).ok, true, 'the chain verifies with the attribute in it');
  });

  it('a redelivered record stores its content once; records without content, and version-1 records, are unchanged in the same batch', async () => {
    const org = randomUUID();
    const retained = request(org, { prompt: 'p', output: null });
    const plain = request(org);
    const v1: AuditRecord = makeAuditRecord({ attributes: { org_id: org } });
    assert.equal(await writer().insertBatch([retained, plain, v1]), 3);
    assert.equal(await writer().insertBatch([retained, retained]), 0);
    const rows = await contentRows(org);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].output, null, 'a refused request has a prompt only');
    assert.equal((await eventOf(org, plain)).attributes.content_retained, undefined);
    assert.equal((await reader.event(org, requestEventId(v1.requestId)))?.attributes.content_retained, undefined);
    assert.equal((await verify(org)).checked, 3);
  });

  it("the retention tick deletes expired content and content past the org's content retention; the events stay", async () => {
    const [org, other] = [randomUUID(), randomUUID()];
    const old = new Date(Date.now() - 10 * DAY);
    await ensurePartitions(ds, old, 1);
    const expired = request(org, { prompt: 'old', output: 'x' }, 3, old);
    const young = request(org, { prompt: 'young', output: 'y' }, 30, old);
    const otherOld = request(other, { prompt: 'theirs', output: 'z' }, 30, old);
    await writer(old).insertBatch([expired, young, otherOld]);
    const fresh = request(org, { prompt: 'new', output: 'n' });
    await writer().insertBatch([fresh]);
    const before = contentView(vault, await eventOf(org, expired), await reader.content(org, requestEventId(expired.requestId)));
    assert.deepEqual(before, { content: null, content_expired: true }, 'expired reads as expired before the tick');
    assert.equal((await chain().applyRetention()).contentDeleted, 1);
    assert.deepEqual((await contentRows(org)).map((r) => r.event_id).sort(), [requestEventId(young.requestId), requestEventId(fresh.requestId)].sort());
    await ds.transaction((tx) => RetentionSettings.update(tx, org, { content_days: 5 }));
    assert.equal((await chain().applyRetention()).contentDeleted, 1, "the 10-day-old row passes the org's 5 days");
    assert.deepEqual((await contentRows(org)).map((r) => r.event_id), [requestEventId(fresh.requestId)]);
    assert.equal((await contentRows(other)).length, 1, 'another organisation keeps its own');
    assert.equal((await verify(org)).checked, 3, 'the events, and the chain, are untouched');
  });

  it("content goes with its events: per-org event retention, and a dropped month", async () => {
    const org = randomUUID();
    const old = new Date(Date.now() - 40 * DAY);
    await ensurePartitions(ds, old, 2);
    const gone = request(org, { prompt: 'p', output: 'o' }, 3650, old);
    await writer(old).insertBatch([gone]);
    const kept = request(org, { prompt: 'p2', output: 'o2' }, 3650);
    await writer().insertBatch([kept]);
    await ds.transaction((tx) => RetentionSettings.update(tx, org, { events_days: 30 }));
    const out = await chain().applyRetention();
    assert.equal(out.deleted, 1);
    assert.deepEqual((await contentRows(org)).map((r) => r.event_id), [requestEventId(kept.requestId)]);
    const month = new Date(Date.UTC(2026, 6, 15));
    const other = randomUUID();
    await ensurePartitions(ds, month, 1);
    await writer(month).insertBatch([request(other, { prompt: 'july', output: null }, 3650, month)]);
    const dropped = await new AuditChainService(ds, new AuditRepository(ds), { inboxPollMs: 1_000, checkpointIntervalMs: 60_000, partitionsAhead: 1, retentionMonths: 1 }, null).applyRetention(
      new Date(Date.UTC(2026, 8, 20)),
    );
    assert.ok(dropped.dropped.includes('audit_event_2026_07'));
    assert.equal((await contentRows(other)).length, 0);
  });

  it('retention settings of an org with no event yet create its head at seq 0; its first events chain from there', async () => {
    const org = randomUUID();
    assert.deepEqual(await RetentionSettings.read(ds, org), { events_days: null, content_days: null, retained_from: 1 });
    const changed = await ds.transaction((tx) => RetentionSettings.update(tx, org, { events_days: 400, content_days: 7 }));
    assert.deepEqual(changed, { before: { events_days: null, content_days: null }, after: { events_days: 400, content_days: 7 } });
    assert.deepEqual(await ds.transaction((tx) => RetentionSettings.update(tx, org, { content_days: null })), {
      before: { events_days: 400, content_days: 7 },
      after: { events_days: 400, content_days: null },
    });
    await writer().insertBatch([request(org), request(org)]);
    assert.deepEqual([(await verify(org)).ok, (await verify(org)).checked], [true, 2]);
    assert.deepEqual(await RetentionSettings.read(ds, org), { events_days: 400, content_days: null, retained_from: 1 });
  });
});
