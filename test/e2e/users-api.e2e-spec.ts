import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, type HttpCall } from '../support/metering-e2e';

type Role = 'owner' | 'admin' | 'auditor' | 'member';
const ROLES: Role[] = ['owner', 'admin', 'auditor', 'member'];
interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
}
interface Org {
  id: string;
  as: Record<Role, Account>;
  /** A member every same-org GET/PATCH cell targets. */
  target: Account;
}

/**
 * Expected status per route, acting role and scope of the target (`same` organisation or `other`).
 * Members get 403 on every route but `/me` whatever the id (so a 403 says nothing about an id);
 * everyone allowed to act gets 404 for another organisation's user, never 403.
 */
const MATRIX: Record<string, { same: Record<Role, number>; other?: Record<Role, number> }> = {
  'GET /api/users': { same: { owner: 200, admin: 200, auditor: 200, member: 403 } },
  'GET /api/users/me': { same: { owner: 200, admin: 200, auditor: 200, member: 200 } },
  'GET /api/users/{id}': { same: { owner: 200, admin: 200, auditor: 200, member: 403 }, other: { owner: 404, admin: 404, auditor: 404, member: 403 } },
  'POST /api/users (member)': { same: { owner: 201, admin: 201, auditor: 403, member: 403 } },
  'POST /api/users (owner)': { same: { owner: 201, admin: 403, auditor: 403, member: 403 } },
  'PATCH /api/users/{id}': { same: { owner: 200, admin: 200, auditor: 403, member: 403 }, other: { owner: 404, admin: 404, auditor: 403, member: 403 } },
  'PATCH /api/users/{owner id}': { same: { owner: 200, admin: 403, auditor: 403, member: 403 }, other: { owner: 404, admin: 404, auditor: 403, member: 403 } },
  'DELETE /api/users/{id}': { same: { owner: 200, admin: 200, auditor: 403, member: 403 }, other: { owner: 404, admin: 404, auditor: 403, member: 403 } },
  'POST /api/users/me/password': { same: { owner: 200, admin: 200, auditor: 200, member: 200 } },
};

describe('users API: authorisation matrix and hardening (e2e)', () => {
  let gw: GatewayProcess;
  let base: string;
  let dbUrl: string;
  const orgs: Record<'a' | 'b', Org> = {} as Record<'a' | 'b', Org>;
  const bodiesSeenByA: unknown[] = [];

  const call = (method: string, path: string, token?: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const login = async (email: string, password: string) => {
    const res = await call('POST', '/api/auth/login', undefined, { email, password });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.access_token as string;
  };
  async function createUser(ownerToken: string, role: Role): Promise<Account> {
    const email = `${role}-${Math.random().toString(36).slice(2, 10)}@users.test`;
    const res = await call('POST', '/api/users', ownerToken, { email, role });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(typeof res.body.password, 'string');
    return { id: res.body.id, email, password: res.body.password, token: await login(email, res.body.password) };
  }
  async function org(boot: BootstrapResult): Promise<Org> {
    const owner = { id: boot.user.id, email: boot.user.email, password: boot.password, token: await login(boot.user.email, boot.password) };
    const as = { owner } as Record<Role, Account>;
    for (const role of ['admin', 'auditor', 'member'] as const) as[role] = await createUser(owner.token, role);
    return { id: boot.organization.id, as, target: await createUser(owner.token, 'member') };
  }

  before(async () => {
    dbUrl = await freshDatabase('gw_identity_users_api_test');
    gw = await startGateway({ GATEWAY_ROLE: 'control', DATABASE_URL: dbUrl });
    base = gw.info.controlUrl!;
    const ds = await createDataSource(dbUrl, 2).initialize();
    try {
      for (const k of ['a', 'b'] as const) {
        const boot = (await bootstrapOrganization(ds, { org: `Org ${k}`, email: `owner@${k}.users.test`, password: `owner password ${k}` })) as BootstrapResult;
        orgs[k] = await org(boot);
      }
    } finally {
      await ds.destroy();
    }
  });

  after(async () => {
    const code = await gw?.stop();
    assert.equal(code, 0, gw?.output());
  });

  /** One cell: the request an `actor` of org A makes against a target in `scope`. */
  async function cell(route: string, actor: Account, scope: 'same' | 'other'): Promise<HttpCall> {
    const o = scope === 'same' ? orgs.a : orgs.b;
    switch (route) {
      case 'GET /api/users':
        return call('GET', '/api/users', actor.token);
      case 'GET /api/users/me':
        return call('GET', '/api/users/me', actor.token);
      case 'GET /api/users/{id}':
        return call('GET', `/api/users/${o.target.id}`, actor.token);
      case 'POST /api/users (member)':
      case 'POST /api/users (owner)':
        return call('POST', '/api/users', actor.token, { email: `new-${Math.random().toString(36).slice(2)}@users.test`, role: route.includes('owner') ? 'owner' : 'member' });
      case 'PATCH /api/users/{id}':
        return call('PATCH', `/api/users/${o.target.id}`, actor.token, { disabled: false });
      case 'PATCH /api/users/{owner id}':
        return call('PATCH', `/api/users/${o.as.owner.id}`, actor.token, { role: 'owner' });
      case 'DELETE /api/users/{id}':
        // A fresh victim per cell, so a wrongly allowed delete cannot hide behind an earlier one.
        return call('DELETE', `/api/users/${(await createUser(o.as.owner.token, 'member')).id}`, actor.token);
      default:
        throw new Error(route);
    }
  }

  it('every route × role × same/other organisation answers as the table says', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const [route, scopes] of Object.entries(MATRIX)) {
      if (route.endsWith('/me/password')) continue; // ends the actors' tokens: its own test below
      for (const scope of ['same', 'other'] as const) {
        const expected = scopes[scope];
        if (!expected) continue;
        for (const role of ROLES) {
          const res = await cell(route, orgs.a.as[role], scope);
          bodiesSeenByA.push(res.body);
          got.push(`${route} ${scope} ${role}: ${res.status}`);
          want.push(`${route} ${scope} ${role}: ${expected[role]}`);
          if (res.status >= 400) assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message', 'param', 'type'], JSON.stringify(res.body));
        }
      }
    }
    assert.deepEqual(got, want);
  });

  it('the list holds exactly the caller’s organisation; no body seen by org A carries org B data', async () => {
    const list = await call('GET', '/api/users', orgs.a.as.auditor.token);
    bodiesSeenByA.push(list.body);
    assert.ok(list.body.data.every((u: { email: string }) => !u.email.includes('@b.users.test')));
    assert.ok(list.body.data.some((u: { id: string }) => u.id === orgs.a.target.id));
    const secrets = [orgs.b.id, orgs.b.as.owner.email, ...ROLES.map((r) => orgs.b.as[r].id), orgs.b.target.id, orgs.b.target.email];
    const seen = JSON.stringify(bodiesSeenByA);
    for (const s of secrets) assert.ok(!seen.includes(s), `org B value ${s} leaked to org A`);
    assert.ok(!/password_hash|\$argon2/.test(seen));
  });

  it('POST /api/users/me/password: every role changes its own; the old token dies, the returned one works', async () => {
    for (const role of ROLES) {
      const me = orgs.a.as[role];
      assert.equal((await call('POST', '/api/users/me/password', me.token, { current_password: 'wrong one', new_password: 'a new password' })).status, 400);
      const res = await call('POST', '/api/users/me/password', me.token, { current_password: me.password, new_password: `new ${role} password` });
      assert.equal(res.status, MATRIX['POST /api/users/me/password'].same[role], JSON.stringify(res.body));
      assert.equal((await call('GET', '/api/users/me', me.token)).status, 401, 'old token refused');
      assert.equal((await call('GET', '/api/users/me', res.body.access_token)).body.id, me.id);
      me.token = await login(me.email, `new ${role} password`);
    }
  });

  it('last active owner: 409 last_owner on demote, disable and delete', async () => {
    const b = orgs.b.as.owner;
    for (const body of [{ role: 'admin' }, { disabled: true }]) {
      const res = await call('PATCH', `/api/users/${b.id}`, b.token, body);
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'last_owner');
    }
    assert.equal((await call('DELETE', `/api/users/${b.id}`, b.token)).status, 409);
  });

  it('bodies are validated (400 naming the field) and API keys are not accepted on user routes', async () => {
    const t = orgs.a.as.owner.token;
    const cases: [unknown, string][] = [
      [{ email: 'x@y.z' }, 'role'],
      [{ email: 'x@y.z', role: 'root' }, 'role'],
      [{ email: 'x\u001b@y.z', role: 'member' }, 'email'],
      [{ email: 'x@y.z', role: 'member', is_admin: true }, 'is_admin'],
    ];
    for (const [body, param] of cases) {
      const res = await call('POST', '/api/users', t, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.param, param);
    }
    assert.equal((await call('PATCH', `/api/users/${orgs.a.target.id}`, t, {})).status, 400);
    assert.equal((await call('GET', '/api/users/not-a-uuid', t)).status, 404);
    const key = await call('POST', '/api/keys', t, { label: 'k' });
    const res = await call('GET', '/api/users', key.body.key);
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'jwt_required');
  });

  it('reproducer 4: NUL and control bytes in a key label or login email are a 400, never a 500 with a Postgres code', async () => {
    const t = orgs.a.as.owner.token;
    for (const label of ['a\u0000b', 'a\u001bb']) {
      const res = await call('POST', '/api/keys', t, { label });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.param, 'label');
    }
    const login = await call('POST', '/api/auth/login', undefined, { email: 'owner@a.users.test\u0000', password: 'x' });
    assert.equal(login.status, 400, JSON.stringify(login.body));
    assert.doesNotMatch(JSON.stringify(login.body), /22021|23503/);
  });

  it("reproducer 4: a deleted user's still-signed JWT on POST /api/keys is a 401, not a 500 (23503)", async () => {
    const victim = await createUser(orgs.a.as.owner.token, 'member');
    assert.equal((await call('DELETE', `/api/users/${victim.id}`, orgs.a.as.owner.token)).status, 200);
    const res = await call('POST', '/api/keys', victim.token, { label: 'after delete' });
    assert.equal(res.status, 401, JSON.stringify(res.body));
  });

  it('reproducer 12: grants are capped at 10^12 per grant and per balance (400 naming credits)', async () => {
    const t = orgs.b.as.owner.token;
    for (let i = 0; i < 2; i++) {
      const res = await call('POST', '/api/credits/grants', t, { credits: 9007199254740991 });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.param, 'credits');
    }
    const { balance } = (await call('GET', '/api/credits', t)).body;
    assert.equal((await call('POST', '/api/credits/grants', t, { credits: 1e12 - balance })).body.balance, 1e12);
    const over = await call('POST', '/api/credits/grants', t, { credits: 1 });
    assert.equal(over.status, 400, JSON.stringify(over.body));
    assert.equal(over.body.error.param, 'credits');
    assert.equal((await call('GET', '/api/credits', t)).body.balance, 1e12);
  });
});
