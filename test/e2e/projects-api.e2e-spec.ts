import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, query, type HttpCall } from '../support/metering-e2e';

type Role = 'owner' | 'admin' | 'auditor' | 'member';
const BASE = '/api/policy-gateway/projects';

/**
 * Issue 10, the projects API over HTTP (control and inference apps in one process, real Postgres): ids, Gen-1
 * aliases, validation naming each field, pagination, ETag/If-Match, delete only without keys, roles, organisation
 * isolation, project keys shown once and revocable, and a revision history row for every change.
 */
describe('projects API (e2e)', () => {
  let gw: GatewayProcess;
  let control: string;
  let ds: DataSource;
  let dbUrl = '';
  let orgA = '';
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };

  const call = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<HttpCall> =>
    http(`${control}${path}`, { method, token, body, headers });
  const as = (role: Role, org: 'a' | 'b' = 'a') => tokens[org][role];
  const login = async (email: string, password: string) => (await http(`${control}/api/auth/login`, { body: { email, password } })).body.access_token as string;

  before(async () => {
    dbUrl = await freshDatabase('gw_projects_api_e2e_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, UPSTREAM_BASE_URL: 'http://127.0.0.1:9/v1', UPSTREAM_MODEL: 'x' });
    control = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 4).initialize();
    for (const k of ['a', 'b'] as const) {
      const boot = (await bootstrapOrganization(ds, { org: `Org ${k}`, email: `owner@${k}.projects.test`, password: `owner password ${k}` })) as BootstrapResult;
      if (k === 'a') orgA = boot.organization.id;
      tokens[k].owner = await login(boot.user.email, boot.password);
      for (const role of ['admin', 'auditor', 'member'] as const) {
        const res = await call('POST', '/api/users', tokens[k].owner, { email: `${role}@${k}.projects.test`, role });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        tokens[k][role] = await login(`${role}@${k}.projects.test`, res.body.password);
      }
    }
    const policy = await call('POST', '/api/policy-gateway/policies', as('owner'), { policy_id: 'support-bot', config: { rules: { denylist: ['x'] } } });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    assert.equal(code, 0, gw?.output());
  });

  it('creates with Gen-2 fields (slug id from the name) and with the Gen-1 monthly aliases; 409 on a taken id', async () => {
    const g2 = await call('POST', BASE, as('admin'), {
      name: 'Support Bot — EU',
      description: 'Tier 1',
      budget: { requests: 1000, tokens: 0, window: 'weekly' },
      user_quota: { requests: 10, tokens: 5000, window: 'daily' },
      web_tools: { enabled: true, allowed_domains: ['docs.example.com', '*.example.org'] },
      policy_id: 'support-bot',
    });
    assert.equal(g2.status, 201, JSON.stringify(g2.body));
    assert.deepEqual({ ...g2.body, created_at: 'x', updated_at: 'x' }, {
      id: 'proj_support_bot_eu',
      object: 'project',
      name: 'Support Bot — EU',
      description: 'Tier 1',
      status: 'active',
      budget: { requests: 1000, tokens: 0, window: 'weekly' },
      user_quota: { requests: 10, tokens: 5000, window: 'daily' },
      web_tools: { enabled: true, allowed_domains: ['docs.example.com', '*.example.org'], blocked_domains: [] },
      policy_id: 'support-bot',
      revision: 1,
      created_at: 'x',
      updated_at: 'x',
    });
    assert.equal(g2.headers.get('etag'), '"1"');
    const [created] = await query<{ before: unknown; after: unknown }>(dbUrl, `SELECT before, after FROM policy_history WHERE org_id = $1 AND edit_type = 'project_create' AND project_id = $2`, [orgA, g2.body.id]);
    assert.deepEqual(created, { before: null, after: g2.body }, 'the history keeps the project as the API returns it');
    const g1 = await call('POST', BASE, as('owner'), { name: 'Support bot', monthly_token_limit: 10_000_000, monthly_request_limit: 20_000 });
    assert.equal(g1.status, 201, JSON.stringify(g1.body));
    assert.deepEqual([g1.body.id, g1.body.budget], ['proj_support_bot', { requests: 20_000, tokens: 10_000_000, window: 'monthly' }]);
    const taken = await call('POST', BASE, as('owner'), { name: 'Other', project_id: 'proj_support_bot' });
    assert.deepEqual([taken.status, taken.body.error.code], [409, 'project_exists']);
    // Another organisation may use the same id.
    assert.equal((await call('POST', BASE, as('owner', 'b'), { name: 'Support bot' })).status, 201);
  });

  it('every bad field is a 400 naming it', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', budget: { requests: -1, tokens: 0, window: 'daily' } }, 'budget.requests'],
      [{ name: 'x', budget: { requests: 1, tokens: 0, window: 'hourly' } }, 'budget.window'],
      [{ name: 'x', user_quota: { requests: 1, tokens: 1.5, window: 'daily' } }, 'user_quota.tokens'],
      [{ name: 'x', user_quota: { requests: 1, window: 'daily' } }, 'tokens'],
      [{ name: 'x', policy_id: 'no-such-policy' }, 'policy_id'],
      [{ name: 'x', policy_id: 'Bad Id' }, 'policy_id'],
      [{ name: 'x', project_id: 'support' }, 'project_id'],
      [{ name: 'x', web_tools: { enabled: true, allowed_domains: ['not a host'] } }, 'web_tools.allowed_domains.0'],
      [{ name: 'x', status: 'paused' }, 'status'],
      [{ name: 'x', colour: 'red' }, 'colour'],
      [{ name: 'x', monthly_token_limit: 5, budget: { requests: 1, tokens: 1, window: 'daily' } }, 'budget'],
      [{ name: '!!!' }, 'name'],
    ];
    for (const [body, param] of cases) {
      const res = await call('POST', BASE, as('owner'), body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.param, param, `${JSON.stringify(body)}: ${res.body.error.message}`);
    }
    const patch = await call('PATCH', `${BASE}/proj_support_bot`, as('owner'), { budget: { requests: 1, tokens: 1, window: 'yearly' } });
    assert.deepEqual([patch.status, patch.body.error.param], [400, 'budget.window']);
  });

  it('lists with a cursor; another organisation sees its own only', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call('POST', BASE, as('owner'), { name: `Page ${i}` })).status, 201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: HttpCall = await call('GET', `${BASE}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, as('auditor'));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...(res.body.data as Array<{ id: string }>).map((p) => p.id));
      cursor = res.body.next_cursor as string | null;
      assert.equal(res.body.has_more, cursor !== null);
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    const bad = await call('GET', `${BASE}?cursor=nope`, as('auditor'));
    assert.deepEqual([bad.status, bad.body.error.param], [400, 'cursor']);
    assert.deepEqual(seen, ['proj_page_0', 'proj_page_1', 'proj_page_2', 'proj_support_bot', 'proj_support_bot_eu']);
    const theirs = await call('GET', BASE, as('owner', 'b'));
    assert.deepEqual((theirs.body.data as Array<{ id: string }>).map((p) => p.id), ['proj_support_bot']);
    assert.equal((await call('GET', `${BASE}/proj_support_bot_eu`, as('owner', 'b'))).status, 404);
    assert.equal((await call('PATCH', `${BASE}/proj_support_bot_eu`, as('owner', 'b'), { name: 'mine' })).status, 404);
  });

  it('PATCH honours If-Match (412 when stale) and links, unlinks and disables', async () => {
    const first = await call('PATCH', `${BASE}/proj_page_0`, as('admin'), { policy_id: 'support-bot' }, { 'if-match': '"1"' });
    assert.deepEqual([first.status, first.body.revision, first.body.policy_id, first.headers.get('etag')], [200, 2, 'support-bot', '"2"']);
    const stale = await call('PATCH', `${BASE}/proj_page_0`, as('admin'), { status: 'disabled' }, { 'if-match': '"1"' });
    assert.deepEqual([stale.status, stale.body.error.code], [412, 'precondition_failed']);
    const off = await call('PATCH', `${BASE}/proj_page_0`, as('admin'), { status: 'disabled', policy_id: null }, { 'if-match': '"2"' });
    assert.deepEqual([off.status, off.body.status, off.body.policy_id, off.body.revision], [200, 'disabled', null, 3]);
    const rows = await query<{ edit_type: string }>(dbUrl, `SELECT edit_type FROM policy_history WHERE org_id = $1 AND project_id = 'proj_page_0' ORDER BY id`, [orgA]);
    assert.deepEqual(rows.map((r) => r.edit_type), ['project_create', 'project_update', 'project_disable']);
  });

  it('roles: auditors read but cannot write; members get 403', async () => {
    assert.equal((await call('GET', `${BASE}/proj_support_bot`, as('auditor'))).status, 200);
    assert.equal((await call('POST', BASE, as('auditor'), { name: 'No' })).status, 403);
    assert.equal((await call('PATCH', `${BASE}/proj_support_bot`, as('auditor'), { name: 'No' })).status, 403);
    assert.equal((await call('POST', `${BASE}/proj_support_bot/keys`, as('auditor'), { label: 'No' })).status, 403);
    assert.equal((await call('GET', BASE, as('member'))).status, 403);
    assert.equal((await call('GET', `${BASE}/proj_support_bot/keys`, as('member'))).status, 403);
  });

  it('project keys: shown once, listed without the key, usable, revocable; a project with keys cannot be deleted', async () => {
    const created = await call('POST', `${BASE}/proj_support_bot_eu/keys`, as('owner'), { label: 'EU prod' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.key, /^ak_/);
    assert.deepEqual([created.body.project_id, created.body.revoked, created.body.label], ['proj_support_bot_eu', false, 'EU prod']);
    const listed = await call('GET', `${BASE}/proj_support_bot_eu/keys`, as('auditor'));
    assert.deepEqual(Object.keys(listed.body.data[0]).sort(), ['created_at', 'id', 'key_preview', 'label', 'project_id', 'revoked']);
    assert.ok(!JSON.stringify(listed.body).includes(created.body.key), 'the plaintext is never shown again');
    const models = () => http(`${gw.info.inferenceUrl}/v1/models`, { token: created.body.key });
    assert.equal((await models()).status, 200);
    const disabledKey = await call('POST', `${BASE}/proj_page_0/keys`, as('owner'), { label: 'x' });
    assert.deepEqual([disabledKey.status, disabledKey.body.error.code], [409, 'project_disabled']);

    const inUse = await call('DELETE', `${BASE}/proj_support_bot_eu`, as('owner'));
    assert.deepEqual([inUse.status, inUse.body.error.code], [409, 'project_in_use']);
    const revoked = await call('POST', `${BASE}/proj_support_bot_eu/keys/${created.body.id}/revoke`, as('admin'));
    assert.deepEqual([revoked.status, revoked.body], [201, { id: created.body.id, revoked: true }]);
    assert.equal((await models()).status, 401);
    assert.equal((await call('POST', `${BASE}/proj_support_bot/keys/${created.body.id}/revoke`, as('admin'))).status, 404, 'a key of another project');
    assert.equal((await call('POST', `${BASE}/proj_support_bot_eu/keys/${created.body.id}/revoke`, as('owner', 'b'))).status, 404, 'another organisation');
    const second = await call('POST', `${BASE}/proj_support_bot_eu/keys`, as('owner'), { label: 'EU staging' });
    const secondModels = () => http(`${gw.info.inferenceUrl}/v1/models`, { token: second.body.key });
    assert.equal((await secondModels()).status, 200);
    const deleted = await call('DELETE', `${BASE}/proj_support_bot_eu/keys/${second.body.id}`, as('owner'));
    assert.deepEqual([deleted.status, deleted.body], [200, { id: second.body.id, revoked: true }]);
    assert.equal((await secondModels()).status, 401);
    const afterRevoke = await call('GET', `${BASE}/proj_support_bot_eu/keys`, as('owner'));
    assert.deepEqual((afterRevoke.body.data as Array<{ revoked: boolean }>).map((k) => k.revoked), [true, true]);
    assert.equal((await call('DELETE', `${BASE}/proj_support_bot_eu`, as('owner'))).status, 409, 'revoked keys stay for audit');
    assert.equal((await call('DELETE', `${BASE}/proj_page_1`, as('owner'), undefined, { 'if-match': '"7"' })).status, 412);
    assert.equal((await call('DELETE', `${BASE}/proj_page_1`, as('owner'))).status, 204);
    assert.equal((await call('GET', `${BASE}/proj_page_1`, as('owner'))).status, 404);
    const history = await query<{ edit_type: string; after: unknown; before: unknown }>(
      dbUrl,
      `SELECT edit_type, after, before FROM policy_history WHERE org_id = $1 AND edit_type IN ('key_create', 'key_revoke', 'project_delete') ORDER BY id`,
      [orgA],
    );
    assert.deepEqual(history.map((h) => h.edit_type), ['key_create', 'key_revoke', 'key_create', 'key_revoke', 'project_delete']);
    for (const k of [created.body.key, second.body.key]) assert.ok(!JSON.stringify(history).includes(k.slice(3)), 'history never holds a key');
  });
});
