import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyPatch, type Operation } from 'fast-json-patch';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { freshDatabase } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, type HttpCall } from '../support/metering-e2e';

type Role = 'owner' | 'admin' | 'auditor' | 'member';
const BASE = '/api/policy-gateway/policies';

const gen1 = (id: string, denylist = ['illegal instructions']) => ({ policy_id: id, name: 'Support Policy', rules: { allowlist: [], denylist, redact: true, response_pattern: 'rewrite' } });
const gen2 = (name: string, denylist = ['competitor-x']) => ({
  name,
  description: 'Gen-2 document',
  classification: 'internal',
  config: { rules: { denylist, flagged_categories: ['hate'], enforcement_action: 'block', redact_pii: true }, deployment: { enabled: true, percentage: 100 } },
});

/** Issue 10: restore and diff of policy versions, and optimistic concurrency (`ETag` / `If-Match` → 412), over HTTP. */
describe('policy versions API: restore, diff, ETag and If-Match (e2e, control app, real Postgres)', () => {
  let gw: GatewayProcess;
  let base: string;
  let ds: DataSource;
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };

  const call = (method: string, path: string, token: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const as = (role: Role, org: 'a' | 'b' = 'a') => tokens[org][role];
  const login = async (email: string, password: string) => (await http(`${base}/api/auth/login`, { body: { email, password } })).body.access_token as string;

  before(async () => {
    const dbUrl = await freshDatabase('gw_policy_versions_api_e2e_test');
    gw = await startGateway({ GATEWAY_ROLE: 'control', DATABASE_URL: dbUrl });
    base = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 2).initialize();
    for (const k of ['a', 'b'] as const) {
      const boot = (await bootstrapOrganization(ds, { org: `Org ${k}`, email: `owner@${k}.versions.test`, password: `owner password ${k}` })) as BootstrapResult;
      tokens[k].owner = await login(boot.user.email, boot.password);
      for (const role of ['admin', 'auditor', 'member'] as const) {
        const res = await call('POST', '/api/users', tokens[k].owner, { email: `${role}@${k}.versions.test`, role });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        tokens[k][role] = await login(`${role}@${k}.versions.test`, res.body.password);
      }
    }
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    assert.equal(code, 0, gw?.output());
  });

  it('restore makes a new version from an old one; diff is an RFC 6902 patch between two versions', async () => {
    const v1 = gen2('Restorable', ['alpha']);
    const v2 = { ...gen2('Restorable', ['alpha', 'beta']), description: 'second' };
    assert.equal((await call('PUT', `${BASE}/restorable`, as('owner'), v1)).status, 201);
    assert.equal((await call('PUT', `${BASE}/restorable`, as('owner'), v2)).status, 200);
    const restored = await call('POST', `${BASE}/restorable/restore`, as('admin'), { version: 1 });
    assert.deepEqual([restored.status, restored.body.version, restored.body.policy, restored.headers.get('etag')], [200, 3, v1, '"3"']);
    assert.deepEqual((await call('GET', `${BASE}/restorable/versions/3`, as('auditor'))).body.policy, v1);
    const diff = await call('GET', `${BASE}/restorable/diff?from=1&to=2`, as('auditor'));
    const byPath = (ops: Operation[]) => [...ops].sort((x, y) => x.path.localeCompare(y.path));
    assert.deepEqual({ ...diff.body, patch: byPath(diff.body.patch) }, {
      policy_id: 'restorable',
      from: 1,
      to: 2,
      patch: [
        { op: 'add', path: '/config/rules/denylist/1', value: 'beta' },
        { op: 'replace', path: '/description', value: 'second' },
      ],
    });
    assert.deepEqual(applyPatch(structuredClone(v1), diff.body.patch).newDocument, v2, 'the patch turns version 1 into version 2');
    assert.deepEqual((await call('GET', `${BASE}/restorable/diff?from=3&to=1`, as('owner'))).body.patch, [], 'the restored version equals version 1');
    const bad: [string, number, string, string][] = [
      ['diff?to=1', 400, 'from', 'invalid_value'],
      ['diff?from=1', 400, 'to', 'invalid_value'],
      ['diff?from=0&to=1', 400, 'from', 'invalid_value'],
      ['diff?from=1&to=two', 400, 'to', 'invalid_value'],
      ['diff?from=1&to=2&to=3', 400, 'to', 'invalid_value'],
      ['diff?from=1&to=2&format=json', 400, 'format', 'invalid_value'],
      ['diff?from=1&to=9', 404, 'version', 'policy_version_not_found'],
    ];
    for (const [path, status, param, code] of bad) {
      const res = await call('GET', `${BASE}/restorable/${path}`, as('owner'));
      assert.deepEqual([res.status, res.body.error.param, res.body.error.code], [status, param, code], path);
    }
    assert.equal((await call('GET', `${BASE}/never-was/diff?from=1&to=2`, as('owner'))).body.error.code, 'policy_not_found');
    assert.equal((await call('GET', `${BASE}/restorable/diff?from=1&to=2`, as('member'))).status, 403);
    for (const [body, status, code] of [
      [{}, 400, 'invalid_value'],
      [{ version: '1' }, 400, 'invalid_value'],
      [{ version: 0 }, 400, 'invalid_value'],
      [{ version: 1.5 }, 400, 'invalid_value'],
      [[1], 400, 'invalid_value'],
      [{ version: 99 }, 404, 'policy_version_not_found'],
    ] as const) {
      const res = await call('POST', `${BASE}/restorable/restore`, as('owner'), body);
      assert.deepEqual([res.status, res.body.error.code], [status, code], JSON.stringify(body));
    }
    assert.equal((await call('POST', `${BASE}/never-was/restore`, as('owner'), { version: 1 })).body.error.code, 'policy_not_found');
    assert.equal((await call('POST', `${BASE}/restorable/restore`, as('auditor'), { version: 1 })).status, 403);
    assert.equal((await call('POST', `${BASE}/restorable/restore`, as('owner', 'b'), { version: 1 })).status, 404, "another organisation's policy");
    assert.equal((await call('GET', `${BASE}/restorable`, as('owner'))).body.version, 3, 'the refused restores saved nothing');
    assert.equal((await call('DELETE', `${BASE}/restorable`, as('owner'))).status, 204);
    const revived = await call('POST', `${BASE}/restorable/restore`, as('owner'), { version: 2 });
    assert.deepEqual([revived.status, revived.body.version, revived.body.policy], [201, 4, v2], 'restoring a deleted policy re-creates it');
  });

  it('ETag is the version; If-Match on PUT, DELETE and restore is checked under the row lock (412 names the current version)', async () => {
    const created = await call('POST', BASE, as('owner'), gen1('tagged'));
    assert.equal(created.headers.get('etag'), '"1"');
    assert.equal((await call('GET', `${BASE}/tagged`, as('auditor'))).headers.get('etag'), '"1"');
    const put = (ifMatch: string, terms: string[]) => http(`${base}${BASE}/tagged`, { method: 'PUT', token: as('admin'), body: gen1('tagged', terms), headers: { 'if-match': ifMatch } });
    const ok = await put('"1"', ['two']);
    assert.deepEqual([ok.status, ok.body.version, ok.headers.get('etag')], [200, 2, '"2"']);
    const stale = await put('"1"', ['lost']);
    assert.deepEqual([stale.status, stale.body.error.code, stale.body.error.param], [412, 'precondition_failed', 'If-Match']);
    assert.match(stale.body.error.message, /is at version 2 \(ETag "2"\)/);
    assert.equal((await put('W/"2"', ['weak'])).status, 412, 'weak tags never match');
    assert.equal((await put('"7", "2"', ['listed'])).body.version, 3, 'any tag of a list may match');
    assert.equal((await put('*', ['any'])).body.version, 4);
    assert.deepEqual([(await put('2', ['bare'])).status, (await put('2', ['bare'])).body.error.param], [400, 'If-Match']);
    const create = await http(`${base}${BASE}/tagged-new`, { method: 'PUT', token: as('admin'), body: gen1('tagged-new'), headers: { 'if-match': '*' } });
    assert.deepEqual([create.status, create.body.error.message], [412, "Policy 'tagged-new' does not exist (or was deleted); If-Match did not match. Read it again and retry with its current ETag"]);
    const restore = await http(`${base}${BASE}/tagged/restore`, { token: as('admin'), body: { version: 1 }, headers: { 'if-match': '"3"' } });
    assert.equal(restore.status, 412);
    const del = (ifMatch: string) => http(`${base}${BASE}/tagged`, { method: 'DELETE', token: as('admin'), headers: { 'if-match': ifMatch } });
    assert.equal((await del('"3"')).status, 412);
    assert.equal((await call('GET', `${BASE}/tagged`, as('owner'))).body.version, 4, 'nothing was saved or deleted by the refused writes');
    assert.equal((await del('"4"')).status, 204);
  });

  it('concurrent PUTs holding the same ETag: exactly one wins per round, the others get 412, versions stay consecutive', async () => {
    await call('POST', BASE, as('owner'), gen1('race-tag'));
    for (let round = 1; round <= 5; round++) {
      const etag = (await call('GET', `${BASE}/race-tag`, as('owner'))).headers.get('etag')!;
      assert.equal(etag, `"${round}"`);
      const puts = await Promise.all(
        Array.from({ length: 6 }, (_, i) => http(`${base}${BASE}/race-tag`, { method: 'PUT', token: as(i % 2 ? 'owner' : 'admin'), body: gen1('race-tag', [`r${round}w${i}`]), headers: { 'if-match': etag } })),
      );
      assert.deepEqual(puts.map((r) => r.status).sort(), [200, 412, 412, 412, 412, 412], `round ${round}`);
      const winner = puts.find((r) => r.status === 200)!;
      assert.equal(winner.body.version, round + 1);
      assert.deepEqual((await call('GET', `${BASE}/race-tag`, as('owner'))).body.policy, winner.body.policy, 'the winner’s document is the latest');
    }
    const versions = await call('GET', `${BASE}/race-tag/versions?limit=100`, as('auditor'));
    assert.deepEqual(versions.body.data.map((v: { version: number }) => v.version), [6, 5, 4, 3, 2, 1]);
    const entries = await ds.query<{ policy_version: number; edit_type: string }[]>(`SELECT policy_version, edit_type FROM policy_history WHERE policy_id = 'race-tag' ORDER BY id`);
    assert.deepEqual(
      entries.map((e) => `${e.edit_type}@${e.policy_version}`),
      ['policy_create@1', ...[2, 3, 4, 5, 6].map((v) => `policy_update@${v}`)],
      'one revision entry per saved version, none for the refused writes',
    );
  });
});
