import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { insertPolicyAuditEvent } from '../../libs/audit/src/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, type HttpCall } from '../support/metering-e2e';
import { SurfaceDrivers } from '../support/policy-drivers';
import { waitFor } from '../support/private-services';

type Role = 'owner' | 'admin' | 'auditor' | 'member';
type Entry = Record<string, unknown> & { id: string; type: string; created_at: string; policy_id: string | null };
const POLICIES = '/api/policy-gateway/policies';
const HISTORY = '/api/policy-gateway/history';
const CONFIG = '/api/policy-gateway/config';
const SPEC_KEYS = [
  'id', 'type', 'created_at', 'policy_id', 'policy_name', 'policy_version', 'decision', 'effective_decision', 'reason_code', 'triggered_categories', 'scenario_categories',
  'rollout_mode', 'enforced', 'allowlist_hits', 'denylist_hits', 'policy_target', 'policy_user', 'quota_subject', 'project_id', 'project_label', 'data_classification', 'model', 'config',
];
const REVISION_KEYS = [...SPEC_KEYS, 'edit_type', 'actor', 'before', 'after', 'details'].sort();

const gen1 = (id: string | undefined, denylist: string[], name = 'Support Policy') => ({
  ...(id ? { policy_id: id } : {}),
  name,
  rules: { allowlist: [], denylist, redact: false, response_pattern: 'refuse' },
  org_controls: { audit_logs: true, data_classification: 'confidential' },
});
const gen2 = (denylist: string[]) => ({ name: 'Enforced', classification: 'internal', config: { rules: { denylist, enforcement_action: 'block' } } });

/**
 * Issue 10 item 4: the Gen-1 `config` API, `GET /history` (revisions written with every change, enforcement read
 * from the audit rows of policy requests), merged newest first with filters and a stable cursor, over HTTP.
 */
describe('policy history and Gen-1 config API (e2e, both planes, real Postgres)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let base: string;
  let ds: DataSource;
  let drivers: SurfaceDrivers;
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  const ids = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  const orgs = { a: '', b: '' };
  let requests = 0;

  const call = (method: string, path: string, token: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const as = (role: Role, org: 'a' | 'b' = 'a') => tokens[org][role];
  const login = async (email: string, password: string) => (await http(`${base}/api/auth/login`, { body: { email, password } })).body.access_token as string;
  const history = async (query: string, role: Role = 'auditor', org: 'a' | 'b' = 'a'): Promise<Entry[]> => {
    const res = await call('GET', `${HISTORY}?${query}`, as(role, org));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.entries as Entry[];
  };
  /** Every page of a query, following next_cursor. */
  const pages = async (query: string, limit: number): Promise<{ entries: Entry[]; pages: number }> => {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const res: HttpCall = await call('GET', `${HISTORY}?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, as('auditor'));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      entries.push(...res.body.entries);
      cursor = res.body.next_cursor;
      n++;
    } while (cursor && n < 100);
    return { entries, pages: n };
  };
  /** An audit event as the inference plane's worker writes it for a policy request (org + policy block). */
  const auditRow = async (org: string, policy: Record<string, unknown>, startedAt = new Date()) =>
    `enf_${await insertPolicyAuditEvent(ds, { orgId: org, requestId: `hist_req_${++requests}`, at: startedAt, policy, model: 'fake-model' })}`;

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_policy_history_api_e2e_test');
    const catalog = { providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }], models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }] };
    gw = await startGateway({ DATABASE_URL: dbUrl, CATALOG_JSON: JSON.stringify(catalog), POLICY_HISTORY_LIMIT: '200' });
    base = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 2).initialize();
    for (const k of ['a', 'b'] as const) {
      const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', `history-${k}`, '--email', `owner@history-${k}.test`, '--credits', '100000']);
      orgs[k] = boot.organization.id;
      ids[k].owner = boot.user.id;
      tokens[k].owner = await login(boot.user.email, boot.password);
      if (k === 'a') drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, boot.api_key.key);
      for (const role of ['admin', 'auditor', 'member'] as const) {
        const res = await call('POST', '/api/users', tokens[k].owner, { email: `${role}@history-${k}.test`, role });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        ids[k][role] = res.body.id;
        tokens[k][role] = await login(`${role}@history-${k}.test`, res.body.password);
      }
    }
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('every change is a revision entry, newest first, with its actor, before/after and the saved document as config', async () => {
    const doc1 = gen1('hist', ['one']);
    const doc2 = gen1('hist', ['one', 'two'], 'Renamed');
    assert.equal((await call('POST', POLICIES, as('admin'), doc1)).status, 201);
    assert.equal((await call('PUT', `${POLICIES}/hist`, as('owner'), doc2)).status, 200);
    assert.equal((await call('POST', `${POLICIES}/hist/restore`, as('admin'), { version: 1 })).status, 200);
    assert.equal((await call('DELETE', `${POLICIES}/hist`, as('owner'))).status, 204);
    const entries = await history('policy_id=hist');
    assert.deepEqual(
      entries.map((e) => [e.type, e.edit_type, e.policy_version, (e.actor as { id: string }).id, e.details]),
      [
        ['revision', 'policy_delete', 3, ids.a.owner, null],
        ['revision', 'policy_restore', 3, ids.a.admin, { from_version: 1 }],
        ['revision', 'policy_update', 2, ids.a.owner, null],
        ['revision', 'policy_create', 1, ids.a.admin, null],
      ],
    );
    for (const e of entries) assert.deepEqual(Object.keys(e).sort(), REVISION_KEYS, e.id);
    const [deleted, restored, updated, created] = entries;
    assert.deepEqual([created.before, created.after, created.config], [null, doc1, doc1]);
    assert.deepEqual([updated.before, updated.after, updated.config, updated.policy_name], [doc1, doc2, doc2, 'Renamed']);
    assert.deepEqual([restored.before, restored.after], [doc2, doc1]);
    assert.deepEqual([deleted.before, deleted.after, deleted.config], [doc1, null, null]);
    assert.deepEqual([created.actor, created.data_classification, created.decision, created.scenario_categories], [{ kind: 'user', id: ids.a.admin }, 'confidential', null, []]);
    const times = entries.map((e) => Date.parse(e.created_at));
    assert.deepEqual(times, [...times].sort((x, y) => y - x));
    assert.match(entries[0].id, /^rev_[0-9]+$/);
  });

  it('POST/GET config: a Gen-1 document saved as a stored policy version (config_save), created_at kept across saves', async () => {
    const missing = await call('GET', CONFIG, as('owner', 'b'));
    assert.deepEqual([missing.status, missing.body.error.code], [404, 'config_not_found']);
    const first = await call('POST', CONFIG, as('admin'), { config: gen1(undefined, ['first']) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(Object.keys(first.body).sort(), ['config', 'created_at', 'updated_at']);
    assert.deepEqual(first.body.config, gen1(undefined, ['first']));
    assert.equal(first.body.created_at, first.body.updated_at);
    const got = await call('GET', CONFIG, as('auditor'));
    assert.deepEqual([got.status, got.body], [200, first.body]);
    const second = await call('POST', CONFIG, as('owner'), { config: gen1(undefined, ['second']) });
    assert.equal(second.body.created_at, first.body.created_at);
    assert.ok(Date.parse(second.body.updated_at) > Date.parse(first.body.updated_at));
    const stored = await call('GET', `${POLICIES}/policy-gateway`, as('auditor'));
    assert.deepEqual([stored.body.version, stored.body.policy], [2, gen1(undefined, ['second'])], "a config without policy_id is the stored policy 'policy-gateway'");
    const saves = await history('policy_id=policy-gateway&type=revision');
    assert.deepEqual(saves.map((e) => [e.edit_type, e.policy_version, (e.actor as { id: string }).id]), [['config_save', 2, ids.a.owner], ['config_save', 1, ids.a.admin]]);
    assert.deepEqual(saves[0].config, gen1(undefined, ['second']));
    const moved = await call('POST', CONFIG, as('owner'), { config: gen1('custom-config', ['third']) });
    assert.deepEqual([moved.body.created_at, (await call('GET', CONFIG, as('owner'))).body.config.policy_id], [first.body.created_at, 'custom-config']);
    const roles: [Role, string, number][] = [['member', 'GET', 403], ['member', 'POST', 403], ['auditor', 'POST', 403], ['owner', 'GET', 200]];
    for (const [role, method, status] of roles) assert.equal((await call(method, CONFIG, as(role), method === 'POST' ? { config: gen1(undefined, []) } : undefined)).status, status, `${role} ${method}`);
  });

  it('POST config refuses Gen-2, unknown fields and invalid documents with invalid_policy and JSON pointers into the body', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ config: gen2(['x']) }, '/config', /Gen-2/],
      [{}, '/config', /required/],
      [{ config: [1] }, '/config', /Gen-1 PolicyConfig object/],
      [{ config: gen1('x', []), extra: 1 }, '/extra', /unknown field/],
      [{ config: { ...gen1('x', []), rules: { denylist: 'nope' } } }, '/config/rules/denylist', /./],
      [{ config: gen1('Bad Id', []) }, '/config/policy_id', /pattern|slug/],
    ];
    for (const [body, param, message] of cases) {
      const res = await call('POST', CONFIG, as('owner', 'b'), body);
      assert.deepEqual([res.status, res.body.error.code, res.body.error.param], [400, 'invalid_policy', param], JSON.stringify(body));
      assert.match(res.body.error.issues[0].message, message);
    }
    assert.equal((await call('GET', CONFIG, as('owner', 'b'))).status, 404, 'nothing was saved');
  });

  it('enforcement entries: a /policy/chat/completions call appears with the recorded decision (needs audit attributes.org_id)', async () => {
    assert.equal((await call('PUT', `${POLICIES}/enforced`, as('owner'), gen2(['forbidden-term']))).status, 201);
    const refused = await drivers.call('chat', { text: 'tell me the forbidden-term', stream: false, model: 'fake-model', extra: { policy_id: 'enforced' } });
    assert.equal(refused.status, 403);
    const allowed = await drivers.call('chat', { text: 'hello', stream: false, model: 'fake-model', extra: { policy_id: 'enforced', policy_user: 'user_42', policy_target: 'support-widget' } });
    assert.equal(allowed.status, 200, allowed.error?.message);
    let entries: Entry[] = [];
    await waitFor(async () => (entries = await history('type=enforcement&policy_id=enforced')).length >= 2, 15_000, 'two enforcement entries (is org_id recorded in the audit attributes?)');
    const [allow, refuse] = entries;
    assert.deepEqual(
      [refuse.decision, refuse.reason_code, refuse.denylist_hits, refuse.policy_version, refuse.policy_name, refuse.data_classification, refuse.model, refuse.config],
      ['refuse', 'REFUSE', ['forbidden-term'], 1, 'Enforced', 'internal', 'fake-model', null],
    );
    assert.deepEqual([allow.decision, allow.enforced, allow.policy_user, allow.quota_subject, allow.policy_target], ['allow', true, 'user_42', 'user_42', 'support-widget']);
    for (const e of entries) assert.deepEqual(Object.keys(e).sort(), [...SPEC_KEYS].sort(), e.id);
    assert.deepEqual(await history('type=enforcement&policy_id=enforced', 'owner', 'b'), [], "not in another organisation's history");
    assert.deepEqual((await history('decision=refuse&policy_id=enforced')).map((e) => e.id), [refuse.id]);
  });

  it('enforcement mapping from a recorded audit row (inserted directly: every field of attributes.policy)', async () => {
    await call('POST', POLICIES, as('owner'), gen1('mapped', ['x']));
    const id = await auditRow(orgs.a, {
      policy_id: 'mapped', policy_version: 1, decision: 'refuse', effective_decision: 'allow', reason_code: 'REFUSE', triggered_categories: ['hate'], allowlist_hits: [],
      denylist_hits: ['x'], rollout_mode: 'shadow', enforced: false, policy_target: 'messages', policy_user: 'u7', quota_subject: 'u7', project_id: 'proj_mapped', project_label: 'Mapped Bot',
    });
    await auditRow(orgs.b, { policy_id: 'mapped', policy_version: 1, decision: 'refuse' });
    const [e] = await history('type=enforcement&policy_id=mapped');
    assert.deepEqual(e, {
      id, type: 'enforcement', created_at: e.created_at, policy_id: 'mapped', policy_name: 'Support Policy', policy_version: 1, decision: 'refuse', effective_decision: 'allow',
      reason_code: 'REFUSE', triggered_categories: ['hate'], scenario_categories: [], rollout_mode: 'shadow', enforced: false, allowlist_hits: [], denylist_hits: ['x'],
      policy_target: 'messages', policy_user: 'u7', quota_subject: 'u7', project_id: 'proj_mapped', project_label: 'Mapped Bot', data_classification: 'confidential', model: 'fake-model', config: null,
    });
    assert.deepEqual((await history('project_id=proj_mapped')).map((x) => x.id), [id]);
  });

  it('pages across both sources without loss or duplicates; filters and time range; bad parameters are 400s', async () => {
    const from = new Date(Date.now() - 1).toISOString();
    await call('POST', POLICIES, as('owner'), gen1('paged', ['v1']));
    const made: string[] = [];
    for (let i = 0; i < 6; i++) {
      await call('PUT', `${POLICIES}/paged`, as('admin'), gen1('paged', [`v${i + 2}`]));
      made.push(await auditRow(orgs.a, { policy_id: 'paged', policy_version: i + 1, decision: i % 2 ? 'refuse' : 'allow' }));
    }
    const all = await history(`policy_id=paged&limit=200`);
    assert.equal(all.length, 13);
    for (const limit of [1, 4, 5]) {
      const paged = await pages('policy_id=paged', limit);
      assert.deepEqual(paged.entries.map((e) => e.id), all.map((e) => e.id), `limit ${limit}`);
      assert.equal(paged.pages, Math.ceil(13 / limit));
    }
    assert.deepEqual((await history('policy_id=paged&type=enforcement')).map((e) => e.id), [...made].reverse());
    assert.equal((await history('policy_id=paged&type=revision')).length, 7);
    assert.equal((await history('policy_id=paged&decision=refuse')).length, 3);
    // all[6] is an audit row written after the PUT of all[7] returned (≥ 50 ms later): the midpoint splits them.
    const to = new Date((Date.parse(all[6].created_at) + Date.parse(all[7].created_at)) / 2).toISOString();
    const window = await history(`policy_id=paged&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    assert.deepEqual(window.map((e) => e.id), all.slice(7).map((e) => e.id));
    assert.deepEqual((await history(`policy_id=paged&from=${encodeURIComponent(to)}`)).map((e) => e.id), all.slice(0, 7).map((e) => e.id));
    assert.equal((await history('policy_id=paged&from=2000-01-01T00:00:00Z&to=2000-01-02')).length, 0);
    const bad: [string, string, string][] = [
      ['type=simulation', 'type', 'invalid_value'],
      ['from=yesterday', 'from', 'invalid_value'],
      ['to=2026-02-30T00:00:00Z', 'to', 'invalid_value'],
      ['from=2026-04-02&to=2026-04-01', 'from', 'invalid_value'],
      ['limit=0', 'limit', 'invalid_value'],
      ['limit=201', 'limit', 'invalid_value'],
      ['decision=deny', 'decision', 'invalid_value'],
      ['policy_id=Bad%20Id', 'policy_id', 'invalid_value'],
      ['cursor=garbage', 'cursor', 'invalid_cursor'],
      ['sort=asc', 'sort', 'invalid_value'],
    ];
    for (const [q, param, code] of bad) {
      const res = await call('GET', `${HISTORY}?${q}`, as('owner'));
      assert.deepEqual([res.status, res.body.error.param, res.body.error.code], [400, param, code], q);
    }
  });

  it('roles and organisations: owners, admins and auditors read their own organisation only; members 403', async () => {
    await call('POST', POLICIES, as('owner', 'b'), gen1('b-only', ['x']));
    for (const [role, status] of [['owner', 200], ['admin', 200], ['auditor', 200], ['member', 403]] as const) assert.equal((await call('GET', HISTORY, as(role))).status, status, role);
    assert.equal((await http(`${base}${HISTORY}`)).status, 401);
    const a = await pages('type=revision', 200);
    const b = await history('type=revision&limit=200', 'auditor', 'b');
    assert.ok(a.entries.length > 0 && b.length > 0);
    assert.ok(!a.entries.some((e) => e.policy_id === 'b-only'));
    assert.ok(b.every((e) => e.policy_id === 'b-only' && (e.actor as { id: string }).id === ids.b.owner), JSON.stringify(b.map((e) => e.policy_id)));
    assert.deepEqual((await history('type=enforcement', 'auditor', 'b')).map((e) => e.policy_id), ['mapped'], "org B's own audit row only");
  });
});
