import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDataSource } from '@gw/database';
import { ApiKeyCache, IdentityChangeFeed, UserStateCache, type Actor } from '@gw/identity';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';
import { createIdentityServices, createTestUser } from '../../libs/identity/src/testing';

const PASSWORD = 'correct horse battery staple';

/** One "replica": its own pool, LISTEN feed and caches over the shared database; counts user-state reads. */
async function replica(url: string) {
  const ds = await createDataSource(url, 3).initialize();
  const feed = new IdentityChangeFeed(url);
  await feed.onModuleInit();
  const caches = { keys: new ApiKeyCache({ databaseUrl: url, ttlMs: 60_000 }, feed), users: new UserStateCache({ ttlMs: 60_000 }, feed) };
  const svc = createIdentityServices(ds, { loginAttemptsPerMinute: 100 }, caches);
  let reads = 0;
  const state = svc.users.state.bind(svc.users);
  svc.users.state = (id) => (reads++, state(id));
  return { ds, feed, svc, reads: () => reads };
}

describe('users and revocation across replicas (Postgres LISTEN/NOTIFY)', () => {
  let db: TestDatabase;
  let a: Awaited<ReturnType<typeof replica>>;
  let b: Awaited<ReturnType<typeof replica>>;
  let orgId: string;
  let owner: Actor;

  /** A user created through the users API on replica A, logged in, with a key. */
  async function member(role: 'admin' | 'member' | 'auditor' = 'member') {
    const { user, password } = await a.svc.userAdmin.create(owner, { email: `${role}-${Math.random().toString(36).slice(2)}@acme.test`, role });
    const token = (await a.svc.login.login(user.email, password, '10.0.0.1')).access_token;
    const { key, plaintext } = await a.svc.apiKeys.create({ orgId, userId: user.id, label: 'k' });
    return { user, password, token, key, plaintext };
  }

  before(async () => {
    db = await createTestDatabase({ name: `gw_identity_users_test_${Date.now().toString(36)}` });
    a = await replica(db.url);
    b = await replica(db.url);
    orgId = (await a.svc.orgs.create('Acme')).id;
    const o = await createTestUser(a.svc, { orgId, email: 'owner@acme.test', role: 'owner', password: PASSWORD });
    owner = { orgId, userId: o.id, role: 'owner' };
  });

  after(async () => {
    for (const r of [a, b]) {
      await r?.feed.onModuleDestroy();
      await r?.ds.destroy();
    }
    await db?.drop();
  });

  it('serves repeated token checks from memory (no database read per request)', async () => {
    const m = await member();
    await b.svc.tokens.verify(m.token);
    const before = b.reads();
    for (let i = 0; i < 5; i++) assert.equal((await b.svc.tokens.verify(m.token)).role, 'member');
    assert.equal(b.reads() - before, 0);
  });

  it('disable on A: the next token check and key lookup on B are refused; enable does not revive old tokens', async () => {
    const m = await member();
    assert.ok(await b.svc.tokens.verify(m.token));
    assert.ok(await b.svc.apiKeys.authenticate(m.plaintext));
    await a.svc.userAdmin.update(owner, m.user.id, { disabled: true });
    await assert.rejects(b.svc.tokens.verify(m.token), { status: 401 });
    assert.equal(await b.svc.apiKeys.authenticate(m.plaintext), null);
    await a.svc.userAdmin.update(owner, m.user.id, { disabled: false });
    await assert.rejects(b.svc.tokens.verify(m.token), { status: 401 }, 'the disable bumped the token version');
    assert.ok(await b.svc.apiKeys.authenticate(m.plaintext), 'keys work again once enabled');
  });

  it('demotion on A: B sees the new role on keys at once and refuses the old token', async () => {
    const m = await member('admin');
    assert.equal((await b.svc.apiKeys.authenticate(m.plaintext))?.role, 'admin');
    assert.equal((await b.svc.tokens.verify(m.token)).role, 'admin');
    await a.svc.userAdmin.update(owner, m.user.id, { role: 'member' });
    assert.equal((await b.svc.apiKeys.authenticate(m.plaintext))?.role, 'member');
    await assert.rejects(b.svc.tokens.verify(m.token), { status: 401 });
    const fresh = (await b.svc.login.login(m.user.email, m.password, '10.0.0.1')).access_token;
    assert.equal((await b.svc.tokens.verify(fresh)).role, 'member');
  });

  it('delete on A: B refuses token and key; a key for the deleted user is a 401, not a foreign-key 500', async () => {
    const m = await member();
    assert.ok(await b.svc.tokens.verify(m.token));
    assert.ok(await b.svc.apiKeys.authenticate(m.plaintext));
    await a.svc.userAdmin.delete(owner, m.user.id);
    await assert.rejects(b.svc.tokens.verify(m.token), { status: 401 });
    assert.equal(await b.svc.apiKeys.authenticate(m.plaintext), null);
    await assert.rejects(a.svc.apiKeys.create({ orgId, userId: m.user.id, label: 'late' }), { status: 401 });
  });

  it('a NUL that slips past the schema is a 400 naming the field, not a raw 22021', async () => {
    await assert.rejects(a.svc.apiKeys.create({ orgId, userId: owner.userId, label: 'a\u0000b' }), { status: 400, param: 'label' });
    await assert.rejects(a.svc.login.login('a\u0000b@acme.test', PASSWORD, '10.0.0.9'), { status: 401 });
  });

  it('password change ends every other token and returns a working one', async () => {
    const m = await member();
    const actor: Actor = { orgId, userId: m.user.id, role: 'member' };
    assert.ok(await b.svc.tokens.verify(m.token)); // cached on B
    await assert.rejects(a.svc.userAdmin.changePassword(actor, 'wrong', 'new password 1'), { status: 400, param: 'current_password' });
    const fresh = await a.svc.userAdmin.changePassword(actor, m.password, 'new password 1');
    await assert.rejects(b.svc.tokens.verify(m.token), { status: 401 });
    assert.equal((await b.svc.tokens.verify(fresh.access_token)).userId, m.user.id);
    assert.ok(await b.svc.login.login(m.user.email, 'new password 1', '10.0.0.2'));
  });

  it('only owners manage owners; everything is scoped to the organisation', async () => {
    const adm = await member('admin');
    const admin: Actor = { orgId, userId: adm.user.id, role: 'admin' };
    await assert.rejects(a.svc.userAdmin.create(admin, { email: 'o2@acme.test', role: 'owner' }), { status: 403 });
    await assert.rejects(a.svc.userAdmin.update(admin, owner.userId!, { disabled: true }), { status: 403 });
    await assert.rejects(a.svc.userAdmin.update(admin, adm.user.id, { role: 'owner' }), { status: 403 });
    await assert.rejects(a.svc.userAdmin.delete(admin, owner.userId!), { status: 403 });
    const otherOrg = (await a.svc.orgs.create('Other')).id;
    const stranger: Actor = { orgId: otherOrg, userId: null, role: 'owner' };
    // Thunks, called one at a time: a rejection created before it is awaited counts as unhandled.
    const calls = [
      () => a.svc.userAdmin.get(stranger, adm.user.id),
      () => a.svc.userAdmin.update(stranger, adm.user.id, { role: 'member' }),
      () => a.svc.userAdmin.delete(stranger, adm.user.id),
    ];
    for (const call of calls) await assert.rejects(call(), { status: 404 });
    assert.ok(!(await a.svc.userAdmin.list(stranger)).some((u) => u.id === adm.user.id));
    await assert.rejects(a.svc.userAdmin.create(owner, { email: adm.user.email.toUpperCase(), role: 'member' }), { status: 409, param: 'email' });
  });

  it('the last active owner cannot be demoted, disabled or deleted; two owners demoting each other at once leave one', async () => {
    const org = (await a.svc.orgs.create('Owners')).id;
    const first = await createTestUser(a.svc, { orgId: org, email: `first-${org}@o.test`, role: 'owner' });
    const o1: Actor = { orgId: org, userId: first.id, role: 'owner' };
    for (const change of [{ role: 'admin' as const }, { disabled: true }]) await assert.rejects(a.svc.userAdmin.update(o1, first.id, change), { status: 409, code: 'last_owner' });
    await assert.rejects(a.svc.userAdmin.delete(o1, first.id), { status: 409, code: 'last_owner' });
    const second = (await a.svc.userAdmin.create(o1, { email: `second-${org}@o.test`, role: 'owner' })).user;
    const o2: Actor = { orgId: org, userId: second.id, role: 'owner' };
    const results = await Promise.allSettled([a.svc.userAdmin.update(o1, second.id, { role: 'member' }), b.svc.userAdmin.update(o2, first.id, { role: 'member' })]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], JSON.stringify(results));
    const owners = (await a.svc.userAdmin.list(o1)).filter((u) => u.role === 'owner' && !u.disabled);
    assert.equal(owners.length, 1);
  });
});
