import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { ApiKeyCache, ApiKeyEntity, ApiKeyRepository, ApiKeyService } from '@gw/identity';
import type { HistoryActor } from '../store/policy-history';
import { ProjectStore } from './project-store';
import { ProjectRepository } from './project.repository';
import type { ProjectFields, ProjectRecord } from './project.types';
import { createTestDatabase, type TestDatabase } from '../../../database/src/testing';

const settle = (ms = 50) => new Promise((r) => setTimeout(r, ms));
const ACTOR: HistoryActor = { kind: 'system', id: 'test' };
const snapshot = (p: ProjectRecord) => ({ id: p.projectId, status: p.status, revision: p.revision });
const fields = (over: Partial<ProjectFields> = {}): ProjectFields => ({
  name: 'n', description: null, status: 'active', policyId: null, budget: null, userQuota: null, webTools: null, ...over,
});

/** One inference "replica": its own pool, project and key caches (LISTEN); counts its database reads. */
async function replica(url: string) {
  const ds = await createDataSource(url, 2).initialize();
  const repo = new ProjectRepository(ds);
  const reads = { n: 0 };
  const find = repo.find.bind(repo);
  repo.find = (o, p) => (reads.n++, find(o, p));
  const store = new ProjectStore(repo, { databaseUrl: url, ttlMs: 60_000 });
  await store.onModuleInit();
  const keyCache = new ApiKeyCache({ databaseUrl: url, ttlMs: 60_000 });
  await keyCache.onModuleInit();
  const keyRepo = new ApiKeyRepository(ds.getRepository(ApiKeyEntity));
  const keyReads = { n: 0 };
  const findKey = keyRepo.findActiveByKeyHash.bind(keyRepo);
  keyRepo.findActiveByKeyHash = (h) => (keyReads.n++, findKey(h));
  return { ds, store, reads, keyCache, keyReads, keys: new ApiKeyService(keyRepo, keyCache) };
}

describe('projects: repository, project keys and the inference cache across replicas (real Postgres, LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let control: DataSource;
  let repo: ProjectRepository;
  let a: Awaited<ReturnType<typeof replica>>;
  let b: Awaited<ReturnType<typeof replica>>;
  let org: string;
  let other: string;

  before(async () => {
    db = await createTestDatabase({ name: `gw_project_store_test_${Date.now().toString(36)}` });
    control = await createDataSource(db.url, 4).initialize();
    repo = new ProjectRepository(control);
    [{ id: org }, { id: other }] = await control.query(`INSERT INTO organization (name) VALUES ('a'), ('b') RETURNING id`);
    a = await replica(db.url);
    b = await replica(db.url);
  });

  after(async () => {
    for (const r of [a, b]) {
      await r?.store.onModuleDestroy();
      await r?.keyCache.onModuleDestroy();
      await r?.ds.destroy();
    }
    await control?.destroy();
    await db?.drop();
  });

  it('a disable committed on the control plane is seen by every replica from its next read (cached until then)', async () => {
    await repo.create(org, 'proj_bot', fields(), ACTOR, snapshot);
    for (const r of [a, b]) assert.equal((await r.store.get(org, 'proj_bot'))?.status, 'active');
    // The create's own notification may arrive after that first read (a loaded machine) and evict it once: wait until
    // a read is served from memory (that eviction has passed) before asserting that the cache holds.
    for (let i = 0, n = -1; i < 40 && n !== b.reads.n; i++) {
      n = b.reads.n;
      await b.store.get(org, 'proj_bot');
      if (n !== b.reads.n) await settle();
    }
    const before = b.reads.n;
    assert.equal((await b.store.get(org, 'proj_bot'))?.revision, 1);
    assert.equal(b.reads.n, before, 'served from memory');
    assert.equal(await b.store.get(other, 'proj_bot'), null, 'org-scoped');

    const updated = await repo.update(org, 'proj_bot', (c) => ({ ...c, status: 'disabled' }), ACTOR, snapshot);
    assert.equal(updated.revision, 2);
    await settle();
    for (const r of [a, b]) assert.deepEqual([(await r.store.get(org, 'proj_bot'))?.status, (await r.store.get(org, 'proj_bot'))?.revision], ['disabled', 2]);
    const rows = await control.query(`SELECT edit_type, before, after FROM policy_history WHERE org_id = $1 AND project_id = 'proj_bot' ORDER BY id`, [org]);
    assert.deepEqual(rows, [
      { edit_type: 'project_create', before: null, after: { id: 'proj_bot', status: 'active', revision: 1 } },
      { edit_type: 'project_disable', before: { id: 'proj_bot', status: 'active', revision: 1 }, after: { id: 'proj_bot', status: 'disabled', revision: 2 } },
    ]);
  });

  it('a project created after a miss was cached is found at once; a delete is null at once', async () => {
    assert.equal(await a.store.get(org, 'proj_late'), null);
    await repo.create(org, 'proj_late', fields(), ACTOR, snapshot);
    await settle();
    assert.equal((await a.store.get(org, 'proj_late'))?.projectId, 'proj_late');
    await repo.delete(org, 'proj_late', ACTOR, snapshot);
    await settle();
    assert.equal(await a.store.get(org, 'proj_late'), null);
  });

  it('project keys authenticate with their project on another replica, stop at the next request after revocation, and pin the project', async () => {
    await repo.create(org, 'proj_keys', fields(), ACTOR, snapshot);
    const { key, plaintext } = await repo.createKey(org, 'proj_keys', 'prod', ACTOR);
    assert.deepEqual([key.projectId, key.revoked, key.label], ['proj_keys', false, 'prod']);
    const principal = await b.keys.authenticate(plaintext);
    assert.deepEqual([principal?.orgId, principal?.userId, principal?.projectId], [org, null, 'proj_keys']);
    const reads = b.keyReads.n;
    assert.equal((await b.keys.authenticate(plaintext))?.projectId, 'proj_keys', 'the cached principal keeps its project');
    assert.equal(b.keyReads.n, reads, 'served from the key cache');

    await assert.rejects(repo.revokeKey(other, 'proj_keys', key.id, ACTOR), { code: 'key_not_found' });
    assert.equal((await repo.revokeKey(org, 'proj_keys', key.id, ACTOR)).revoked, true);
    assert.equal((await repo.revokeKey(org, 'proj_keys', key.id, ACTOR)).revoked, true, 'idempotent');
    await settle();
    assert.equal(await b.keys.authenticate(plaintext), null);

    await assert.rejects(repo.delete(org, 'proj_keys', ACTOR, snapshot), { code: 'project_in_use' });
    await repo.update(org, 'proj_keys', (c) => ({ ...c, status: 'disabled' }), ACTOR, snapshot);
    await assert.rejects(repo.createKey(org, 'proj_keys', 'late', ACTOR), { code: 'project_disabled' });
    const history = await control.query(`SELECT edit_type, before, after FROM policy_history WHERE org_id = $1 AND edit_type LIKE 'key_%' ORDER BY id`, [org]);
    assert.deepEqual(history.map((h: { edit_type: string }) => h.edit_type), ['key_create', 'key_revoke'], 'one revoke entry: the second changed nothing');
    const shown = { id: key.id, label: 'prod', key_preview: key.keyPreview };
    assert.deepEqual(history[1], { edit_type: 'key_revoke', before: { ...shown, revoked: false }, after: { ...shown, revoked: true } });
    assert.ok(!JSON.stringify(history).includes(plaintext.slice(3)), 'never the key');
  });
});
