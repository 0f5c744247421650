import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, type HttpCall } from '../support/metering-e2e';

type Role = 'owner' | 'admin' | 'auditor' | 'member';
const BASE = '/api/policy-gateway/policies';
const canary = { name: 'canary-bot', config: { rules: { denylist: ['bad'] }, deployment: { enabled: true, percentage: 20 } } };

describe('rollout API: manual rollback, resume, state (e2e, control app over HTTP, real Postgres)', () => {
  let gw: GatewayProcess;
  let base: string;
  let ds: DataSource;
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  let orgA = '';
  let adminA = '';

  const call = (method: string, path: string, token: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const login = async (email: string, password: string) => (await http(`${base}/api/auth/login`, { body: { email, password } })).body.access_token as string;

  before(async () => {
    const dbUrl = await freshDatabase('gw_rollout_api_e2e_test');
    gw = await startGateway({ GATEWAY_ROLE: 'control', DATABASE_URL: dbUrl });
    base = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 2).initialize();
    for (const k of ['a', 'b'] as const) {
      const boot = (await bootstrapOrganization(ds, { org: `Org ${k}`, email: `owner@${k}.rollout.test`, password: `owner password ${k}` })) as BootstrapResult;
      if (k === 'a') orgA = boot.organization.id;
      tokens[k].owner = await login(boot.user.email, boot.password);
      for (const role of ['admin', 'auditor', 'member'] as const) {
        const res = await call('POST', '/api/users', tokens[k].owner, { email: `${role}@${k}.rollout.test`, role });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        if (k === 'a' && role === 'admin') adminA = res.body.id as string;
        tokens[k][role] = await login(`${role}@${k}.rollout.test`, res.body.password as string);
      }
    }
    const created = await call('POST', BASE, tokens.a.owner, canary);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    assert.equal(code, 0, gw?.output());
  });

  it('reads the configured rollout; rolls back and resumes with 409s in between; history names the user', async () => {
    const fresh = await call('GET', `${BASE}/canary-bot/rollout`, tokens.a.auditor);
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
    assert.deepEqual(fresh.body, { policy_id: 'canary-bot', configured_mode: 'canary', percentage: 20, override: null, since: null, until: null, reason: null, triggered_by: null, epoch: 0 });

    const before = Date.now();
    const held = await call('POST', `${BASE}/canary-bot/rollback`, tokens.a.admin, { reason: 'spike in refusals', minutes: 30 });
    assert.equal(held.status, 200, JSON.stringify(held.body));
    assert.deepEqual([held.body.override, held.body.reason, held.body.triggered_by, held.body.epoch], ['rollback', 'spike in refusals', `user:${adminA}`, 1]);
    const span = Date.parse(held.body.until as string) - Date.parse(held.body.since as string);
    assert.equal(span, 30 * 60_000);
    assert.ok(Date.parse(held.body.since as string) >= before - 1_000);

    const again = await call('POST', `${BASE}/canary-bot/rollback`, tokens.a.owner);
    assert.deepEqual([again.status, again.body.error.code], [409, 'rollback_active']);
    assert.deepEqual((await call('GET', `${BASE}/canary-bot/rollout`, tokens.a.auditor)).body.override, 'rollback');

    const resumed = await call('POST', `${BASE}/canary-bot/resume`, tokens.a.owner);
    assert.deepEqual([resumed.status, resumed.body.override, resumed.body.reason, resumed.body.epoch, resumed.body.configured_mode], [200, null, 'resumed', 2, 'canary']);
    const none = await call('POST', `${BASE}/canary-bot/resume`, tokens.a.admin);
    assert.deepEqual([none.status, none.body.error.code], [409, 'no_rollback']);

    const open = await call('POST', `${BASE}/canary-bot/rollback`, tokens.a.owner, {});
    assert.deepEqual([open.status, open.body.until, open.body.reason], [200, null, 'manual'], 'no minutes: until resumed');

    const rows = await ds.query<Array<{ edit_type: string; actor_kind: string; actor_id: string }>>(
      `SELECT edit_type, actor_kind, actor_id FROM policy_history WHERE org_id = $1 AND policy_id = 'canary-bot' AND edit_type LIKE 'rollback%' ORDER BY id`,
      [orgA],
    );
    const owner = (await ds.query<Array<{ id: string }>>(`SELECT id FROM app_user WHERE org_id = $1 AND role = 'owner'`, [orgA]))[0].id;
    assert.deepEqual(
      rows.map((r) => [r.edit_type, r.actor_kind, r.actor_id]),
      [
        ['rollback_manual', 'user', adminA],
        ['rollback_resume', 'user', owner],
        ['rollback_manual', 'user', owner],
      ],
    );
  });

  it('roles: owners and admins change, auditors read, members get 403; other organisations and unknown ids are 404', async () => {
    assert.equal((await call('POST', `${BASE}/canary-bot/resume`, tokens.a.auditor)).status, 403);
    assert.equal((await call('POST', `${BASE}/canary-bot/rollback`, tokens.a.member)).status, 403);
    assert.equal((await call('GET', `${BASE}/canary-bot/rollout`, tokens.a.member)).status, 403);
    for (const [method, path] of [
      ['GET', 'rollout'],
      ['POST', 'rollback'],
      ['POST', 'resume'],
    ] as const) {
      for (const id of ['canary-bot', 'no-such-policy']) {
        const res = await call(method, `${BASE}/${id}/${path}`, id === 'canary-bot' ? tokens.b.owner : tokens.a.owner);
        assert.deepEqual([res.status, res.body.error.code], [404, 'policy_not_found'], `${method} ${id}/${path}`);
      }
    }
  });

  it('a bad body is a 400 naming the field', async () => {
    for (const [body, param] of [
      [{ minutes: 0 }, 'minutes'],
      [{ minutes: 1.5 }, 'minutes'],
      [{ minutes: '5' }, 'minutes'],
      [{ reason: 7 }, 'reason'],
      [{ until: 'tomorrow' }, 'until'],
      [[1], 'body'],
    ] as const) {
      const res = await call('POST', `${BASE}/canary-bot/rollback`, tokens.a.owner, body);
      assert.deepEqual([res.status, res.body.error.code, res.body.error.param], [400, 'invalid_value', param], JSON.stringify(body));
    }
  });
});
