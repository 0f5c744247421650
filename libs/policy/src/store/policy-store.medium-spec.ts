import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { API_KEY_CHANNEL, policyChangePayload } from '@gw/identity';
import { PolicyStore } from './policy-store';
import { PolicyRepository, type NewPolicyVersion } from './policy.repository';
import { createTestDatabase, type TestDatabase } from '../../../database/src/testing';

const doc = (id: string, denylist: string[]) => ({ policy_id: id, rules: { denylist } });
const version = (orgId: string, policyId: string, denylist: string[]): NewPolicyVersion => {
  return { orgId, policyId, json: JSON.stringify(doc(policyId, denylist)), generation: 1, name: null, createdBy: null };
};
const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));

/** One inference "replica": its own pool and store, listening on the shared database; counts its reads. */
async function replica(url: string) {
  const ds = await createDataSource(url, 2).initialize();
  const repo = new PolicyRepository(ds);
  const reads = { latest: 0 };
  const latestVersion = repo.latestVersion.bind(repo);
  repo.latestVersion = (o, p) => {
    reads.latest++;
    return latestVersion(o, p);
  };
  const store = new PolicyStore(repo, { databaseUrl: url, ttlMs: 60_000 });
  await store.onModuleInit();
  return { ds, store, reads };
}

describe('stored policies: repository and cache across replicas (real Postgres, LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let control: DataSource;
  let repo: PolicyRepository;
  let a: Awaited<ReturnType<typeof replica>>;
  let b: Awaited<ReturnType<typeof replica>>;
  let org: string;
  let other: string;

  before(async () => {
    db = await createTestDatabase({ name: `gw_policy_store_test_${Date.now().toString(36)}` });
    control = await createDataSource(db.url, 4).initialize();
    repo = new PolicyRepository(control);
    [{ id: org }, { id: other }] = await control.query(`INSERT INTO organization (name) VALUES ('a'), ('b') RETURNING id`);
    a = await replica(db.url);
    b = await replica(db.url);
  });

  after(async () => {
    for (const r of [a, b]) {
      await r?.store.onModuleDestroy();
      await r?.ds.destroy();
    }
    await control?.destroy();
    await db?.drop();
  });

  it('a save on one connection reaches both replicas from their next read', async () => {
    await repo.save(version(org, 'shared', ['one']), 'create');
    assert.equal((await a.store.getLatest(org, 'shared')).version, 1);
    assert.equal((await b.store.getLatest(org, 'shared')).version, 1);
    const before = b.reads.latest;
    assert.equal((await b.store.getLatest(org, 'shared')).version, 1);
    assert.equal(b.reads.latest, before, 'served from memory');
    await repo.save(version(org, 'shared', ['two']), 'upsert');
    await settle();
    for (const r of [a, b]) assert.deepEqual((await r.store.getLatest(org, 'shared')).model.denylist, ['two']);
    await assert.rejects(b.store.getLatest(other, 'shared'), { code: 'policy_not_found' });
  });

  it('a change made by hand in SQL (with its NOTIFY) evicts too, and a delete is a 404 at once', async () => {
    await repo.save(version(org, 'by-hand', ['x']), 'create');
    assert.equal((await a.store.getLatest(org, 'by-hand')).version, 1);
    await control.transaction(async (m) => {
      await m.query(`UPDATE policy SET latest_version = 2 WHERE org_id = $1 AND policy_id = 'by-hand'`, [org]);
      await m.query(`INSERT INTO policy_version (org_id, policy_id, version, document, generation, size_bytes) VALUES ($1, 'by-hand', 2, $2, 1, 10)`, [org, JSON.stringify(doc('by-hand', ['y']))]);
      await m.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [policyChangePayload(org, 'by-hand')]);
    });
    await settle();
    assert.deepEqual((await a.store.getLatest(org, 'by-hand')).model.denylist, ['y']);
    assert.equal(await repo.delete(org, 'by-hand'), true);
    await settle();
    await assert.rejects(a.store.getLatest(org, 'by-hand'), { code: 'policy_not_found' });
  });

  it('refuses to serve cached entries while its listener is down, and trusts them again once it is back', async () => {
    await repo.save(version(org, 'feed', ['x']), 'create');
    assert.equal((await b.store.getLatest(org, 'feed')).version, 1);
    await control.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'llm-gateway-key-cache' AND datname = current_database()`);
    await settle(100);
    // A change whose NOTIFY no replica can hear: bumped by hand, without pg_notify.
    await control.transaction(async (m) => {
      await m.query(`UPDATE policy SET latest_version = 2 WHERE org_id = $1 AND policy_id = 'feed'`, [org]);
      await m.query(`INSERT INTO policy_version (org_id, policy_id, version, document, generation, size_bytes) VALUES ($1, 'feed', 2, $2, 1, 10)`, [org, JSON.stringify(doc('feed', ['z']))]);
    });
    const before = b.reads.latest;
    assert.deepEqual((await b.store.getLatest(org, 'feed')).model.denylist, ['z'], 'not the stale cached version');
    await b.store.getLatest(org, 'feed');
    assert.equal(b.reads.latest - before, 2, 'every request reads the database while the listener is down');
    await settle(1_300); // the feed reconnects after 1 s
    await b.store.getLatest(org, 'feed');
    const back = b.reads.latest;
    await b.store.getLatest(org, 'feed');
    assert.equal(b.reads.latest, back, 'cached again');
  });

  it('20 concurrent saves of one new policy get versions 1..20, each row kept', async () => {
    const saves = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.save(version(org, 'race', [`t${i}`]), 'upsert')));
    const versions = saves.map((s) => s!.row.version).sort((x, y) => x - y);
    assert.deepEqual(versions, Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(saves.filter((s) => s!.created).length, 1, 'exactly one save created the policy');
    const rows = await repo.versions(org, 'race', null, 100);
    assert.deepEqual(rows.map((r) => r.version), Array.from({ length: 20 }, (_, i) => 20 - i));
  });

  it('create refuses a live id, revives a deleted one with the next version; versions cannot be updated', async () => {
    await repo.save(version(org, 'life', ['a']), 'create');
    assert.equal(await repo.save(version(org, 'life', ['b']), 'create'), null);
    await repo.save(version(org, 'life', ['b']), 'upsert');
    assert.equal(await repo.delete(org, 'life'), true);
    assert.equal(await repo.delete(org, 'life'), false);
    assert.equal(await repo.findLatest(org, 'life'), null);
    assert.equal(await repo.state(org, 'life'), 'deleted');
    const revived = await repo.save(version(org, 'life', ['c']), 'create');
    assert.deepEqual([revived?.row.version, revived?.created], [3, true]);
    await assert.rejects(control.query(`UPDATE policy_version SET document = '{}' WHERE org_id = $1 AND policy_id = 'life'`, [org]), /immutable/);
    assert.deepEqual((await repo.findVersion(org, 'life', 1))?.document, doc('life', ['a']));
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.payload ?? ''));
      await listener.query(`LISTEN ${API_KEY_CHANNEL}`);
      await repo.save(version(org, 'life', ['d']), 'upsert');
      await repo.delete(org, 'life');
      await settle();
      assert.deepEqual(heard, [policyChangePayload(org, 'life'), policyChangePayload(org, 'life')]);
    } finally {
      await listener.end();
    }
  });
});
