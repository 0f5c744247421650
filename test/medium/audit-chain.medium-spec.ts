import 'reflect-metadata';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { AuditChainService, AuditReader, ChainVerifier, checkpointMessage, CheckpointSigner, entryHash, eventFromRow, EVENT_SELECT, GENESIS_HASH, type AuditEventRow, type AuditRecord } from '@gw/audit';
import { ensurePartitions } from '../../libs/audit/src/chain/audit-partitions';
import { createDataSource, MIGRATIONS, MIGRATIONS_TABLE, revertLastMigration, runMigrations } from '@gw/database';
import { AuditRepository } from '../../libs/audit/src/audit.repository';
import { drainAuditInbox, makeAuditRecord } from '../../libs/audit/src/testing';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

const v2 = (orgId: string | null, i: number): AuditRecord => ({
  ...makeAuditRecord({ attributes: { i } }),
  v: 2,
  eventType: 'enforcement',
  orgId,
  projectId: null,
  principal: { kind: 'api_key', keyId: null, userId: null },
});

describe('audit chain writer (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  /** Every event of `org` in seq order, with the chain rules checked row by row. */
  const chainOf = async (org: string) => {
    const rows = await ds.query<AuditEventRow[]>(`SELECT ${EVENT_SELECT} FROM audit_event WHERE org_id = $1 ORDER BY seq`, [org]);
    let prev = GENESIS_HASH;
    rows.forEach((r, i) => {
      const e = eventFromRow(r);
      assert.equal(e.seq, i + 1, `${org}: seq ${e.seq} at position ${i + 1}`);
      assert.equal(e.prev_hash, prev, `${org}: prev_hash of seq ${e.seq}`);
      assert.equal(e.entry_hash, entryHash(e), `${org}: entry_hash of seq ${e.seq} recomputes from the row`);
      prev = e.entry_hash;
    });
    return rows.map(eventFromRow);
  };

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 8).initialize();
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('concurrent writers (4 × 25 batches over 3 orgs): one gapless, linked chain per org; the head row holds the last hash', async () => {
    const orgs = [randomUUID(), randomUUID(), randomUUID()];
    const writers = Array.from({ length: 4 }, () => new AuditRepository(ds));
    let n = 0;
    await Promise.all(writers.map(async (w) => {
      for (let b = 0; b < 25; b++) await w.insertBatch(Array.from({ length: 40 }, () => v2(orgs[n++ % 3], n)));
    }));
    let total = 0;
    for (const org of orgs) {
      const events = await chainOf(org);
      total += events.length;
      const [head] = await ds.query<Array<{ seq: string; entry_hash: Buffer }>>(`SELECT seq::text AS seq, entry_hash FROM audit_chain WHERE org_id = $1`, [org]);
      assert.equal(Number(head.seq), events.length);
      assert.equal(head.entry_hash.toString('hex'), events.at(-1)!.entry_hash);
    }
    assert.equal(total, 4_000);
  });

  it('a redelivered batch stores nothing twice; a request seen first through another path keeps its first event', async () => {
    const org = randomUUID();
    const w = new AuditRepository(ds);
    const records = Array.from({ length: 30 }, (_, i) => v2(org, i));
    assert.equal(await w.insertBatch(records), 30);
    assert.equal(await w.insertBatch([...records.slice(0, 10), v2(org, 99), records[3]]), 1);
    assert.equal((await chainOf(org)).length, 31);
  });

  it('the same records written by racing batches (duplicate jobs) are chained once', async () => {
    const org = randomUUID();
    const records = Array.from({ length: 50 }, (_, i) => v2(org, 1_000 + i));
    const writers = Array.from({ length: 4 }, () => new AuditRepository(ds));
    for (let round = 0; round < 5; round++) {
      const batch = records.slice(round * 10, round * 10 + 10);
      await Promise.all(writers.map((w) => w.insertBatch(batch.map((r) => ({ ...r })))));
    }
    assert.equal((await chainOf(org)).length, 50);
  });

  it('signs a checkpoint when an org passes every N events, verifiable with the public key; none without a signer', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new CheckpointSigner(privateKey);
    await ds.query(`INSERT INTO audit_signing_key (key_id, public_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [signer.keyId, signer.publicKeyPem]);
    const org = randomUUID();
    const w = new AuditRepository(ds, { signer, checkpointEvery: 25, dedupeWindowMs: 3600_000 });
    for (let b = 0; b < 6; b++) await w.insertBatch(Array.from({ length: 10 }, (_, i) => v2(org, b * 10 + i)));
    const events = await chainOf(org);
    const cps = await ds.query<Array<{ seq: string; entry_hash: Buffer; created_at: Date; key_id: string; signature: Buffer }>>(
      `SELECT seq::text AS seq, entry_hash, created_at, key_id, signature FROM audit_checkpoint WHERE org_id = $1 ORDER BY seq`,
      [org],
    );
    assert.deepEqual(cps.map((c) => Number(c.seq)), [30, 60], 'batches of 10: due after the 3rd and 6th');
    for (const c of cps) {
      const hash = c.entry_hash.toString('hex');
      assert.equal(hash, events[Number(c.seq) - 1].entry_hash);
      const msg = checkpointMessage({ org_id: org, seq: Number(c.seq), entry_hash: hash, created_at: c.created_at.toISOString() });
      assert.equal(verify(null, msg, signer.publicKey, c.signature), true);
      assert.equal(verify(null, checkpointMessage({ org_id: org, seq: Number(c.seq) + 1, entry_hash: hash, created_at: c.created_at.toISOString() }), signer.publicKey, c.signature), false);
    }
  });

  it('policy_history rows become revision events through the inbox, in the transaction of the change', async () => {
    const org = randomUUID();
    await ds.query(`INSERT INTO organization (id, name) VALUES ($1, $2)`, [org, `chain-${org.slice(0, 8)}`]).catch(() => undefined);
    await ds.transaction(async (m) => {
      await m.query(`INSERT INTO policy_history (org_id, edit_type, policy_id, policy_version, actor_kind, actor_id, after) VALUES ($1, 'policy_create', 'p1', 1, 'user', 'u1', '{"rules":{}}')`, [org]);
    });
    await assert.rejects(ds.transaction(async (m) => {
      await m.query(`INSERT INTO policy_history (org_id, edit_type, policy_id, policy_version, actor_kind, actor_id) VALUES ($1, 'policy_update', 'p1', 2, 'user', 'u1')`, [org]);
      throw new Error('rolled back');
    }));
    await drainAuditInbox(ds);
    const events = await chainOf(org);
    assert.equal(events.length, 1, 'the rolled-back change left no event');
    assert.equal(events[0].event_type, 'revision');
    assert.deepEqual(events[0].principal, { kind: 'user', key_id: null, key_preview: null, user_id: 'u1' });
    assert.deepEqual(
      { action: events[0].attributes.action, policy_id: events[0].attributes.policy_id, after: events[0].attributes.after, before: events[0].attributes.before },
      { action: 'policy_create', policy_id: 'p1', after: { rules: {} }, before: null },
    );
  });

  it('existing rows migrate forward losslessly: down to the flat table, rows written there, up again, chained at the next drain', async () => {
    // Down through the chain migration (the later ones first), to the flat table of issue 10.
    const applied = async () => (await ds.query<Array<{ name: string }>>(`SELECT name FROM ${MIGRATIONS_TABLE}`)).map((m) => m.name);
    const later = MIGRATIONS.map((m) => m.name).slice(MIGRATIONS.findIndex((m) => m.name === 'AuditChain1795380000000'));
    const toRevert = (await applied()).filter((n) => later.includes(n)).length;
    await ds.destroy();
    for (let i = 0; i < toRevert; i++) await revertLastMigration(db.url);
    ds = await createDataSource(db.url, 8).initialize();
    assert.equal((await applied()).includes('AuditChain1795380000000'), false);
    const org = randomUUID();
    for (let i = 0; i < 120; i++) {
      await ds.query(
        `INSERT INTO audit_event (request_id, surface, model, provider, upstream_model, stream, status, http_status, error_code, input_tokens, output_tokens, started_at, finished_at, latency_ms, ttft_ms, attributes)
         VALUES ($1, 'messages', 'm', 'p', 'u', true, 'error', 502, 'upstream_error', $2, 7, now() - interval '1 hour', now(), 12, 3, $3::jsonb)`,
        [`req_legacy_${i}`, i, JSON.stringify({ org_id: i % 2 ? org : undefined, policy: { decision: 'allow' } })],
      );
    }
    await ds.destroy();
    await runMigrations(db.url);
    ds = await createDataSource(db.url, 8).initialize();
    assert.ok((await drainAuditInbox(ds)) >= 120, 'the 120 rows (and the request events of the tests before, which down kept) are chained');
    const mine = await chainOf(org);
    assert.equal(mine.length, 60);
    const rows = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM audit_event WHERE request_id LIKE 'req_legacy_%'`);
    assert.equal(rows[0].n, 120);
    const e = mine.find((x) => x.request_id === 'req_legacy_7')!;
    assert.deepEqual(
      { status: e.status, http: e.http_status, err: e.error_code, in: e.input_tokens, out: e.output_tokens, ttft: e.ttft_ms, surface: e.surface, stream: e.stream, decision: (e.attributes.policy as { decision: string }).decision },
      { status: 'error', http: 502, err: 'upstream_error', in: 7, out: 7, ttft: 3, surface: 'messages', stream: true, decision: 'allow' },
    );
    assert.ok(typeof (e.attributes.migrated as { id: string }).id === 'string', 'the old row id is kept');
  });
});

describe('audit retention (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 4).initialize();
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const verifyFrom = async (org: string) => {
    const reader = new AuditReader(ds);
    const from = await reader.retainedFrom(org);
    const head = await reader.head(org);
    const v = new ChainVerifier({ orgId: org, publicKeys: new Map(), startSeq: from });
    for await (const e of reader.events(org, from, head.seq)) v.addEvent(e);
    return v.finish(head);
  };

  it('drops whole months past the global retention, moves retained_from, and the rest still verifies; a later deletion is caught', async () => {
    const org = randomUUID();
    const months = [new Date(Date.UTC(2026, 7, 15)), new Date(Date.UTC(2026, 8, 15)), new Date(Date.UTC(2026, 9, 15))];
    await ensurePartitions(ds, months[0], 3);
    for (const [i, at] of months.entries()) {
      const w = new AuditRepository(ds, { signer: null, checkpointEvery: 1_000, dedupeWindowMs: 3600_000, now: () => at });
      await w.insertBatch(Array.from({ length: 10 }, (_, k) => v2(org, i * 10 + k)));
    }
    const chain = new AuditChainService(ds, new AuditRepository(ds), { inboxPollMs: 1_000, checkpointIntervalMs: 60_000, partitionsAhead: 1, retentionMonths: 1 }, null);
    const out = await chain.applyRetention(new Date(Date.UTC(2026, 9, 20)));
    assert.deepEqual(out.dropped, ['audit_event_2026_08'], 'only the month that ended before September 1st');
    assert.equal(await new AuditReader(ds).retainedFrom(org), 11);
    const report = await verifyFrom(org);
    assert.deepEqual([report.ok, report.checked, report.first_seq], [true, 20, 11]);
    await ds.query(`DELETE FROM audit_event WHERE org_id = $1 AND seq = 11`, [org]);
    assert.deepEqual([(await verifyFrom(org)).first_break?.seq, (await verifyFrom(org)).first_break?.reason], [11, 'missing'], 'retention is not a licence to delete');
  });

  it('per-organisation retention deletes a prefix of that chain only', async () => {
    const [org, other] = [randomUUID(), randomUUID()];
    const old = new Date(Date.now() - 40 * 86_400_000);
    await ensurePartitions(ds, old, 2);
    for (const o of [org, other]) {
      await new AuditRepository(ds, { signer: null, checkpointEvery: 1_000, dedupeWindowMs: 3600_000, now: () => old }).insertBatch(Array.from({ length: 7 }, (_, k) => v2(o, k)));
      await new AuditRepository(ds).insertBatch(Array.from({ length: 5 }, (_, k) => v2(o, 100 + k)));
    }
    await ds.query(`UPDATE audit_chain SET retention_days = 30 WHERE org_id = $1`, [org]);
    const chain = new AuditChainService(ds, new AuditRepository(ds), { inboxPollMs: 1_000, checkpointIntervalMs: 60_000, partitionsAhead: 1 }, null);
    const out = await chain.applyRetention();
    assert.equal(out.deleted, 7);
    assert.equal(await new AuditReader(ds).retainedFrom(org), 8);
    assert.deepEqual([(await verifyFrom(org)).ok, (await verifyFrom(org)).checked], [true, 5]);
    assert.deepEqual([(await verifyFrom(other)).ok, (await verifyFrom(other)).checked], [true, 12], 'the other organisation keeps everything');
  });
});
