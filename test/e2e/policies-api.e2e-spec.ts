import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { PolicyRepository, PolicyStore } from '@gw/policy';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, type HttpCall } from '../support/metering-e2e';

type Role = 'owner' | 'admin' | 'auditor' | 'member';
const ROLES: Role[] = ['owner', 'admin', 'auditor', 'member'];
const BASE = '/api/policy-gateway/policies';

const gen1 = (id: string, denylist = ['illegal instructions']) => ({
  policy_id: id,
  name: 'Support Policy',
  rules: { allowlist: [], denylist, redact: true, response_pattern: 'rewrite', flagged_categories: ['self-harm', 'sexual/minors'] },
  rollout: { shadow: { enabled: false, sample_percent: 20, targets: [] }, rollback_on_spike: true, rollback_threshold: 0.25 },
});
const gen2 = (name: string, denylist = ['competitor-x']) => ({
  name,
  description: 'Gen-2 document',
  classification: 'internal',
  config: { rules: { denylist, flagged_categories: ['hate'], enforcement_action: 'block', redact_pii: true }, deployment: { enabled: true, percentage: 100 } },
});

describe('stored policies API (e2e, control app over HTTP, real Postgres)', () => {
  let gw: GatewayProcess;
  let base: string;
  let ds: DataSource;
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  let orgA = '';
  let dbUrl = '';
  let ownerA = '';

  const call = (method: string, path: string, token: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const as = (role: Role, org: 'a' | 'b' = 'a') => tokens[org][role];
  const login = async (email: string, password: string) => (await http(`${base}/api/auth/login`, { body: { email, password } })).body.access_token as string;

  before(async () => {
    dbUrl = await freshDatabase('gw_policy_store_api_e2e_test');
    gw = await startGateway({ GATEWAY_ROLE: 'control', DATABASE_URL: dbUrl });
    base = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 4).initialize();
    for (const k of ['a', 'b'] as const) {
      const boot = (await bootstrapOrganization(ds, { org: `Org ${k}`, email: `owner@${k}.policies.test`, password: `owner password ${k}` })) as BootstrapResult;
      if (k === 'a') [orgA, ownerA] = [boot.organization.id, boot.user.id];
      tokens[k].owner = await login(boot.user.email, boot.password);
      for (const role of ['admin', 'auditor', 'member'] as const) {
        const email = `${role}@${k}.policies.test`;
        const res = await call('POST', '/api/users', tokens[k].owner, { email, role });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        tokens[k][role] = await login(email, res.body.password);
      }
    }
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    assert.equal(code, 0, gw?.output());
  });

  it('creates, reads, versions and lists a policy; the document comes back as saved', async () => {
    const created = await call('POST', BASE, as('admin'), gen1('support-guardrails'));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      { ...created.body, created_at: 'x', updated_at: 'x', created_by: 'x', updated_by: 'x', size_bytes: 0 },
      { policy_id: 'support-guardrails', version: 1, generation: 1, name: 'Support Policy', policy: gen1('support-guardrails'), created_at: 'x', updated_at: 'x', created_by: 'x', updated_by: 'x', size_bytes: 0 },
    );
    assert.equal(created.body.size_bytes, Buffer.byteLength(JSON.stringify(gen1('support-guardrails'))));
    assert.equal((await call('POST', BASE, as('owner'), gen1('support-guardrails'))).body.error.code, 'policy_exists');
    const g2 = await call('POST', BASE, as('owner'), gen2('Support Bot — EU'));
    assert.deepEqual([g2.status, g2.body.policy_id, g2.body.generation, g2.body.created_by], [201, 'support-bot-eu', 2, ownerA]);
    const got = await call('GET', `${BASE}/support-bot-eu`, as('auditor'));
    assert.deepEqual([got.status, got.body.version, got.body.policy], [200, 1, gen2('Support Bot — EU')]);
    const put = await call('PUT', `${BASE}/support-bot-eu`, as('admin'), gen2('Support Bot — EU', ['competitor-y']));
    assert.deepEqual([put.status, put.body.version, put.body.created_by], [200, 2, ownerA], 'a new version keeps the creator');
    assert.notEqual(put.body.updated_by, ownerA);
    const fresh = await call('PUT', `${BASE}/put-created`, as('owner'), gen2('whatever name'));
    assert.deepEqual([fresh.status, fresh.body.policy_id, fresh.body.version], [201, 'put-created', 1], 'PUT creates under the URL id');
    const versions = await call('GET', `${BASE}/support-bot-eu/versions`, as('auditor'));
    assert.deepEqual(versions.body.data.map((v: { version: number }) => v.version), [2, 1]);
    assert.equal(versions.body.data[0].policy, undefined, 'lists carry no documents');
    const v1 = await call('GET', `${BASE}/support-bot-eu/versions/1`, as('auditor'));
    assert.deepEqual([v1.status, v1.body.policy], [200, gen2('Support Bot — EU')], 'version 1 is unchanged by the save of version 2');
    assert.equal((await call('GET', `${BASE}/support-bot-eu/versions/3`, as('auditor'))).body.error.code, 'policy_version_not_found');
    assert.equal((await call('GET', `${BASE}/support-bot-eu/versions/x`, as('auditor'))).status, 400);
    const mismatch = await call('PUT', `${BASE}/other-id`, as('owner'), gen1('support-guardrails'));
    assert.deepEqual([mismatch.status, mismatch.body.error.param], [400, '/policy_id']);
    assert.equal((await call('PUT', `${BASE}/Bad%20Id`, as('owner'), gen2('x'))).body.error.param, 'policy_id');
  });

  it('roles: owner/admin write, auditor reads, member 403; another organisation’s policy is a 404, never a 403', async () => {
    await call('POST', BASE, as('owner', 'b'), gen1('b-secret'));
    await call('POST', BASE, as('owner'), gen1('roles'));
    const cells: [string, (t: string, scope: 'a' | 'b') => Promise<HttpCall>, Record<Role, number>, Record<Role, number> | null][] = [
      ['list', (t) => call('GET', BASE, t), { owner: 200, admin: 200, auditor: 200, member: 403 }, null],
      ['get', (t, s) => call('GET', `${BASE}/${s === 'a' ? 'roles' : 'b-secret'}`, t), { owner: 200, admin: 200, auditor: 200, member: 403 }, { owner: 404, admin: 404, auditor: 404, member: 403 }],
      ['versions', (t, s) => call('GET', `${BASE}/${s === 'a' ? 'roles' : 'b-secret'}/versions`, t), { owner: 200, admin: 200, auditor: 200, member: 403 }, { owner: 404, admin: 404, auditor: 404, member: 403 }],
      ['version 1', (t, s) => call('GET', `${BASE}/${s === 'a' ? 'roles' : 'b-secret'}/versions/1`, t), { owner: 200, admin: 200, auditor: 200, member: 403 }, { owner: 404, admin: 404, auditor: 404, member: 403 }],
      ['post', (t) => call('POST', BASE, t, gen2(`new ${Math.random().toString(36).slice(2)}`)), { owner: 201, admin: 201, auditor: 403, member: 403 }, null],
      ['put', (t) => call('PUT', `${BASE}/roles`, t, gen1('roles')), { owner: 200, admin: 200, auditor: 403, member: 403 }, null],
      ['delete', (t, s) => call('DELETE', `${BASE}/${s === 'a' ? 'doomed' : 'b-secret'}`, t), { owner: 204, admin: 204, auditor: 403, member: 403 }, { owner: 404, admin: 404, auditor: 403, member: 403 }],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const [name, send, same, other] of cells) {
      for (const [scope, expected] of [['a', same], ['b', other]] as const) {
        if (!expected) continue;
        for (const role of ROLES) {
          if (name === 'delete' && scope === 'a') await call('PUT', `${BASE}/doomed`, as('owner'), gen1('doomed'));
          const res = await send(as(role), scope);
          got.push(`${name} ${scope} ${role}: ${res.status}`);
          want.push(`${name} ${scope} ${role}: ${expected[role]}`);
          if (res.status >= 400) assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message', 'param', 'type'], JSON.stringify(res.body));
        }
      }
    }
    assert.deepEqual(got, want);
    const anonymous = await http(`${base}${BASE}`);
    assert.deepEqual([anonymous.status, anonymous.body.error.code], [401, 'missing_credentials']);
    assert.equal((await call('GET', `${BASE}/b-secret`, as('owner', 'b'))).status, 200, 'org B’s policy survived org A’s attempts');
    const list = await call('GET', `${BASE}?limit=100`, as('auditor'));
    assert.ok(!list.body.data.some((p: { policy_id: string }) => p.policy_id === 'b-secret'));
  });

  it('an invalid document is a 400 listing every bad path; limits name themselves', async () => {
    const bad = await call('POST', BASE, as('owner'), { policy_id: 'Bad Id', colour: 'red', rules: { denylist: 'x', redact: 'yes' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body.error).sort(), ['code', 'issues', 'message', 'param', 'type']);
    assert.equal(bad.body.error.code, 'invalid_policy');
    assert.equal(bad.body.error.type, 'invalid_request_error');
    const paths = bad.body.error.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['/colour', '/policy_id', '/rules/denylist', '/rules/redact']);
    assert.equal(bad.body.error.param, bad.body.error.issues[0].path);
    const terms = await call('POST', BASE, as('owner'), gen1('too-many', Array.from({ length: 10_001 }, (_, i) => `term ${i}`)));
    assert.deepEqual(terms.body.error.issues, [{ path: '/rules/denylist', message: 'too many items; the limit is 10000' }]);
    const long = await call('POST', BASE, as('owner'), gen1('too-long', ['ok', 'x'.repeat(257)]));
    assert.deepEqual(long.body.error.issues, [{ path: '/rules/denylist/1', message: 'longer than 256 characters' }]);
    const unknown = await call('PUT', `${BASE}/unknown-field`, as('owner'), { ...gen2('n'), config: { rules: { denylist: [], enforcment_action: 'block' } } });
    assert.deepEqual(unknown.body.error.issues, [{ path: '/config/rules/enforcment_action', message: 'unknown field' }]);
    assert.equal((await call('POST', BASE, as('owner'), [1, 2])).body.error.code, 'invalid_policy');
    assert.equal((await call('POST', BASE, as('owner'), { rules: { denylist: [] } })).body.error.param, '/policy_id', 'Gen-1 without id or name');
    const huge = await call('POST', BASE, as('owner'), gen1('huge', Array.from({ length: 5_000 }, (_, i) => `${'y'.repeat(220)}${i}`)));
    assert.deepEqual([huge.status, huge.body.error.code], [413, 'request_too_large']);
    assert.match(huge.body.error.message, /1048576-byte limit/);
    for (const id of ['too-many', 'too-long', 'unknown-field', 'huge']) assert.equal((await call('GET', `${BASE}/${id}`, as('owner'))).status, 404, `${id} was not stored`);
  });

  it('paginates with opaque cursors; bad query parameters are precise 400s', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `page-${i}`);
    for (const id of ids) assert.equal((await call('POST', BASE, as('owner', 'b'), gen1(id))).status, 201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: HttpCall = await call('GET', `${BASE}?limit=3${cursor ? `&cursor=${cursor}` : ''}`, as('auditor', 'b'));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...res.body.data.map((p: { policy_id: string }) => p.policy_id));
      assert.equal(res.body.has_more, res.body.next_cursor !== null);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, ['b-secret', ...ids].sort());
    assert.equal(pages, 3);
    const cases: [string, string, RegExp][] = [
      ['limit=0', 'limit', /from 1 to 100/],
      ['limit=101', 'limit', /from 1 to 100/],
      ['limit=ten', 'limit', /integer/],
      ['limit=1&limit=2', 'limit', /more than once/],
      ['cursor=not-a-cursor', 'cursor', /not a cursor/],
      ['page=2', 'page', /Unknown query parameter: 'page'/],
    ];
    for (const [q, param, message] of cases) {
      const res = await call('GET', `${BASE}?${q}`, as('owner', 'b'));
      assert.deepEqual([res.status, res.body.error.param, res.body.error.code], [400, param, 'invalid_value'], q);
      assert.match(res.body.error.message, message, q);
    }
    for (let i = 0; i < 4; i++) await call('PUT', `${BASE}/page-0`, as('owner', 'b'), gen1('page-0', [`v${i}`]));
    const first = await call('GET', `${BASE}/page-0/versions?limit=2`, as('auditor', 'b'));
    const second = await call('GET', `${BASE}/page-0/versions?limit=2&cursor=${first.body.next_cursor}`, as('auditor', 'b'));
    const third = await call('GET', `${BASE}/page-0/versions?limit=2&cursor=${second.body.next_cursor}`, as('auditor', 'b'));
    assert.deepEqual([...first.body.data, ...second.body.data, ...third.body.data].map((v: { version: number }) => v.version), [5, 4, 3, 2, 1]);
    assert.equal(third.body.has_more, false);
    assert.equal((await call('GET', `${BASE}/page-0/versions?cursor=${first.body.next_cursor}x`, as('auditor', 'b'))).status, 400);
  });

  it('20 concurrent PUTs of one policy get distinct consecutive versions', async () => {
    assert.equal((await call('POST', BASE, as('owner'), gen1('contended'))).status, 201);
    const puts = await Promise.all(Array.from({ length: 20 }, (_, i) => call('PUT', `${BASE}/contended`, as(i % 2 ? 'owner' : 'admin'), gen1('contended', [`term ${i}`]))));
    assert.deepEqual([...new Set(puts.map((r) => r.status))], [200]);
    assert.deepEqual(puts.map((r) => r.body.version as number).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 2));
    const versions = await call('GET', `${BASE}/contended/versions?limit=100`, as('auditor'));
    assert.deepEqual(versions.body.data.map((v: { version: number }) => v.version), Array.from({ length: 21 }, (_, i) => 21 - i));
    for (const put of puts) {
      const v = await call('GET', `${BASE}/contended/versions/${put.body.version}`, as('auditor'));
      assert.deepEqual(v.body.policy, put.body.policy, 'each version holds the document its PUT sent');
    }
  });

  it('DELETE is a tombstone: 404 after, versions kept, re-creation continues the numbering', async () => {
    await call('POST', BASE, as('owner'), gen1('phoenix'));
    await call('PUT', `${BASE}/phoenix`, as('owner'), gen1('phoenix', ['second']));
    assert.equal((await call('DELETE', `${BASE}/phoenix`, as('admin'))).status, 204);
    const gone = await call('GET', `${BASE}/phoenix`, as('owner'));
    assert.deepEqual([gone.status, gone.body.error.code, gone.body.error.param], [404, 'policy_not_found', 'policy_id']);
    assert.equal((await call('DELETE', `${BASE}/phoenix`, as('admin'))).status, 404);
    assert.ok(!(await call('GET', `${BASE}?limit=100`, as('owner'))).body.data.some((p: { policy_id: string }) => p.policy_id === 'phoenix'));
    assert.deepEqual((await call('GET', `${BASE}/phoenix/versions`, as('auditor'))).body.data.map((v: { version: number }) => v.version), [2, 1], 'kept for audit');
    const again = await call('POST', BASE, as('admin'), gen1('phoenix', ['third']));
    assert.deepEqual([again.status, again.body.version], [201, 3]);
    assert.equal((await call('GET', `${BASE}/never-was/versions`, as('owner'))).status, 404);
  });

  it('an inference-side cache in another process sees a PUT from the next read (NOTIFY after commit)', async () => {
    await call('POST', BASE, as('owner'), gen1('hot', ['first']));
    const store = new PolicyStore(new PolicyRepository(ds), { databaseUrl: dbUrl, ttlMs: 60_000 });
    await store.onModuleInit();
    try {
      assert.deepEqual((await store.getLatest(orgA, 'hot')).model.denylist, ['first']);
      assert.equal((await store.getLatest(orgA, 'hot')).version, 1, 'cached');
      await call('PUT', `${BASE}/hot`, as('admin'), gen1('hot', ['second']));
      const next = await store.getLatest(orgA, 'hot');
      assert.deepEqual([next.version, next.model.denylist], [2, ['second']]);
      await call('DELETE', `${BASE}/hot`, as('admin'));
      await assert.rejects(store.getLatest(orgA, 'hot'), { code: 'policy_not_found' });
    } finally {
      await store.onModuleDestroy();
    }
  });
});
