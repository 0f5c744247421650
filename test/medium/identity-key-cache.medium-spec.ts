import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { ApiKeyCache, ApiKeyEntity, ApiKeyRepository, ApiKeyService } from '@gw/identity';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';
import { createIdentityServices } from '../../libs/identity/src/testing';

/** One "replica": its own pool, repository and cache listening on the shared database. */
async function replica(url: string): Promise<{ ds: DataSource; cache: ApiKeyCache; keys: ApiKeyService; reads: () => number }> {
  const ds = await createDataSource(url, 2).initialize();
  const repo = new ApiKeyRepository(ds.getRepository(ApiKeyEntity));
  let reads = 0;
  const find = repo.findActiveByKeyHash.bind(repo);
  repo.findActiveByKeyHash = (hash) => {
    reads++;
    return find(hash);
  };
  const cache = new ApiKeyCache({ databaseUrl: url, ttlMs: 60_000 });
  await cache.onModuleInit();
  return { ds, cache, keys: new ApiKeyService(repo, cache), reads: () => reads };
}

describe('API key cache across replicas (LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let a: Awaited<ReturnType<typeof replica>>;
  let b: Awaited<ReturnType<typeof replica>>;
  let orgId: string;

  before(async () => {
    db = await createTestDatabase();
    a = await replica(db.url);
    b = await replica(db.url);
    const admin = createIdentityServices(a.ds);
    orgId = (await admin.orgs.create('cache test')).id;
  });

  after(async () => {
    for (const r of [a, b]) {
      await r?.cache.onModuleDestroy();
      await r?.ds.destroy();
    }
    await db?.drop();
  });

  it('serves repeated authentications from memory', async () => {
    const { plaintext } = await a.keys.create({ orgId, userId: null, label: 'hot' });
    const before = b.reads();
    for (let i = 0; i < 5; i++) assert.equal((await b.keys.authenticate(plaintext))?.orgId, orgId);
    assert.equal(b.reads() - before, 1);
  });

  it('refuses a key on the other replica on the very next request after revocation', async () => {
    const { key, plaintext } = await a.keys.create({ orgId, userId: null, label: 'to revoke' });
    assert.ok(await b.keys.authenticate(plaintext)); // now cached on b
    await a.keys.revoke({ orgId, userId: null, role: 'owner' }, key.id);
    assert.equal(await b.keys.authenticate(plaintext), null);
  });

  it('stops trusting the cache when its listener connection is lost', async () => {
    const { plaintext } = await a.keys.create({ orgId, userId: null, label: 'listener' });
    assert.ok(await b.keys.authenticate(plaintext));
    await a.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'llm-gateway-key-cache' AND datname = current_database()`);
    await new Promise((r) => setTimeout(r, 100));
    const before = b.reads();
    assert.ok(await b.keys.authenticate(plaintext));
    assert.equal(b.reads() - before, 1, 'read from the database while the listener is down');
  });
});
