import 'reflect-metadata';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDataSource, MIGRATIONS, schemaDrift } from '@gw/database';
import { ApiKeyService, type Actor, type ApiKeyInfo } from '@gw/identity';
import type { DataSource } from 'typeorm';
import { createTestDatabase, truncateTables, type TestDatabase } from '../../libs/database/src/testing';
import { createIdentityServices, createTestUser, type IdentityServices } from '../../libs/identity/src/testing';

const ADMIN_URL = process.env.TEST_PG_ADMIN_URL;
const TABLES = ['api_key', 'app_user', 'organization'];

describe('identity schema', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ adminUrl: ADMIN_URL });
  });
  after(async () => db?.drop());

  it('the committed migrations match the identity entities (no drift)', async () => {
    const identityTables = /"(organization|app_user|api_key)"/;
    assert.deepEqual((await schemaDrift(db.url)).filter((sql) => identityTables.test(sql)), []);
  });

  it('CreateIdentity down() removes its tables and up() restores them', async () => {
    const bare = await createTestDatabase({ adminUrl: ADMIN_URL, migrate: false });
    const ds = await createDataSource(bare.url, 1).initialize();
    const runner = ds.createQueryRunner();
    try {
      const Migration = MIGRATIONS.find((m) => m.name.startsWith('CreateIdentity'));
      assert.ok(Migration, 'CreateIdentity is listed in MIGRATIONS');
      const migration = new Migration();
      const tables = async () =>
        (await runner.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r: { tablename: string }) => r.tablename);
      await migration.up(runner);
      assert.deepEqual(await tables(), ['api_key', 'app_user', 'organization']);
      await migration.down(runner);
      assert.deepEqual(await tables(), []);
    } finally {
      await runner.release();
      await ds.destroy();
      await bare.drop();
    }
  });
});

describe(ApiKeyService.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let svc: IdentityServices;
  let sut: ApiKeyService;

  before(async () => {
    db = await createTestDatabase({ adminUrl: ADMIN_URL });
    ds = await createDataSource(db.url, 4).initialize();
    svc = createIdentityServices(ds);
    sut = svc.apiKeys;
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });
  beforeEach(() => truncateTables(ds, TABLES));

  async function orgWithUser(role: Actor['role'] = 'member', email = `u${Math.random()}@example.com`) {
    const org = await svc.orgs.create('Acme', 600);
    const user = await createTestUser(svc, { orgId: org.id, email, role });
    return { org, user, actor: { orgId: org.id, userId: user.id, role } satisfies Actor };
  }

  it('creates an ak_ key of 32 base62 characters and authenticates it', async () => {
    const { org, user } = await orgWithUser('admin');
    const { key, plaintext } = await sut.create({ orgId: org.id, userId: user.id, label: 'prod', rateLimitPerMinute: 42 });
    assert.match(plaintext, /^ak_[0-9A-Za-z]{32}$/);
    assert.equal(key.keyPreview, `${plaintext.slice(0, 7)}…${plaintext.slice(-4)}`);
    const principal = await sut.authenticate(plaintext);
    assert.deepEqual(principal, {
      kind: 'api_key',
      keyId: key.id,
      orgId: org.id,
      userId: user.id,
      role: 'admin',
      projectId: null,
      rateLimitPerMinute: 42,
      orgRateLimitPerMinute: 600,
    });
  });

  it('stores only the SHA-256 and the preview: the plaintext appears nowhere in the row', async () => {
    const { org, user } = await orgWithUser();
    const { key, plaintext } = await sut.create({ orgId: org.id, userId: user.id, label: 'x' });
    const [row] = await ds.query(`SELECT to_jsonb(k)::text AS json, encode(key_hash, 'hex') AS hex FROM api_key k WHERE id = $1`, [key.id]);
    assert.ok(!row.json.includes(plaintext), 'plaintext found in the row');
    assert.ok(!row.json.includes(plaintext.slice(3)), 'key body found in the row');
    const { createHash } = await import('node:crypto');
    assert.equal(row.hex, createHash('sha256').update(plaintext).digest('hex'));
  });

  it('rejects malformed, unknown, revoked and expired keys, and keys of disabled users', async () => {
    const { org, user, actor } = await orgWithUser('member');
    assert.equal(await sut.authenticate('ak_short'), null);
    assert.equal(await sut.authenticate(`sk_${'a'.repeat(32)}`), null);
    assert.equal(await sut.authenticate(`ak_${'a'.repeat(32)}`), null);

    const revoked = await sut.create({ orgId: org.id, userId: user.id, label: 'r' });
    const seen: ApiKeyInfo[] = [];
    const off = sut.onRevoked((k) => seen.push(k));
    assert.deepEqual((await sut.revoke(actor, revoked.key.id)).id, revoked.key.id);
    await sut.revoke(actor, revoked.key.id); // idempotent, no second event
    off();
    assert.deepEqual(seen.map((k) => k.id), [revoked.key.id]);
    assert.equal(await sut.authenticate(revoked.plaintext), null);

    const soon = await sut.create({ orgId: org.id, userId: user.id, label: 'e', expiresAt: new Date(Date.now() + 60_000) });
    assert.ok(await sut.authenticate(soon.plaintext));
    await ds.query(`UPDATE api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [soon.key.id]);
    assert.equal(await sut.authenticate(soon.plaintext), null);

    const live = await sut.create({ orgId: org.id, userId: user.id, label: 'd' });
    await svc.users.setDisabled(user.id, true);
    assert.equal(await sut.authenticate(live.plaintext), null);
  });

  it('scopes listing and revocation by role and organisation (404 outside the scope)', async () => {
    const a = await orgWithUser('owner', 'owner@a.test');
    const adminA = await createTestUser(svc, { orgId: a.org.id, email: 'admin@a.test', role: 'admin' });
    const memberA = await createTestUser(svc, { orgId: a.org.id, email: 'member@a.test', role: 'member' });
    const auditorA = await createTestUser(svc, { orgId: a.org.id, email: 'auditor@a.test', role: 'auditor' });
    const b = await orgWithUser('owner', 'owner@b.test');
    const kOwnerA = await sut.create({ orgId: a.org.id, userId: a.user.id, label: 'owner-a' });
    const kMemberA = await sut.create({ orgId: a.org.id, userId: memberA.id, label: 'member-a' });
    const kAuditorA = await sut.create({ orgId: a.org.id, userId: auditorA.id, label: 'auditor-a' });
    const kOwnerB = await sut.create({ orgId: b.org.id, userId: b.user.id, label: 'owner-b' });

    const actorOf = (u: { id: string; orgId: string; role: Actor['role'] }): Actor => ({ orgId: u.orgId, userId: u.id, role: u.role });
    const labels = async (actor: Actor) => (await sut.list(actor)).map((k) => k.label).sort();
    assert.deepEqual(await labels(actorOf(adminA)), ['auditor-a', 'member-a', 'owner-a']);
    assert.deepEqual(await labels(actorOf(auditorA)), ['auditor-a', 'member-a', 'owner-a']);
    assert.deepEqual(await labels(actorOf(memberA)), ['member-a']);
    assert.deepEqual(await labels(b.actor), ['owner-b']);

    const notFound = { status: 404, code: 'api_key_not_found' };
    await assert.rejects(sut.revoke(actorOf(memberA), kOwnerA.key.id), notFound);
    await assert.rejects(sut.revoke(actorOf(auditorA), kMemberA.key.id), notFound);
    await assert.rejects(sut.revoke(b.actor, kOwnerA.key.id), notFound);
    await assert.rejects(sut.revoke(actorOf(adminA), kOwnerB.key.id), notFound);
    await assert.rejects(sut.revoke(actorOf(adminA), 'not-a-uuid'), notFound);
    assert.ok((await sut.revoke(actorOf(auditorA), kAuditorA.key.id)).revokedAt);
    assert.ok((await sut.revoke(actorOf(memberA), kMemberA.key.id)).revokedAt);
    assert.ok((await sut.revoke(actorOf(adminA), kOwnerA.key.id)).revokedAt);
    assert.ok(await sut.authenticate(kOwnerB.plaintext), 'the other organisation is untouched');
  });
});
