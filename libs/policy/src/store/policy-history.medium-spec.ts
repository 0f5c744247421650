import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { appendHistory } from './policy-history';
import { PolicyHistoryReader, type HistoryPosition, type HistoryRow } from './policy-history.reader';
import { PolicyRepository, type NewPolicyVersion } from './policy.repository';
import { insertPolicyAuditEvent } from '../../../audit/src/testing';
import { createTestDatabase, type TestDatabase } from '../../../database/src/testing';

const doc = (id: string, denylist: string[]) => ({ policy_id: id, name: `Policy ${id}`, rules: { denylist }, org_controls: { data_classification: 'restricted' } });
const version = (orgId: string, policyId: string, denylist: string[]): NewPolicyVersion => {
  return { orgId, policyId, json: JSON.stringify(doc(policyId, denylist)), generation: 1, name: `Policy ${policyId}`, createdBy: null };
};
const user = (id: string) => ({ kind: 'user' as const, id });

describe('policy history: written with each change, read across both sources (real Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: PolicyRepository;
  let reader: PolicyHistoryReader;
  let org: string;
  let other: string;
  let requests = 0;

  /** One audit event of a policy request (what the inference plane's audit worker writes). */
  const audit = (orgId: string | null, at: Date | string, policy: Record<string, unknown> | null) =>
    insertPolicyAuditEvent(ds, { orgId, requestId: `req_${++requests}`, at, policy });

  /** Every row, page by page through the cursor positions. */
  const all = async (limit: number, filter: Omit<Parameters<PolicyHistoryReader['page']>[0], 'orgId'> = {}, orgId = org): Promise<HistoryRow[]> => {
    const out: HistoryRow[] = [];
    let cursor: HistoryPosition | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const rows = await reader.page({ ...filter, orgId }, cursor, limit + 1);
      out.push(...rows.slice(0, limit));
      if (rows.length <= limit) return out;
      cursor = rows[limit - 1].position;
    }
    throw new Error('paging did not end');
  };

  before(async () => {
    db = await createTestDatabase({ name: `gw_policy_history_test_${Date.now().toString(36)}` });
    ds = await createDataSource(db.url, 6).initialize();
    repo = new PolicyRepository(ds);
    reader = new PolicyHistoryReader(ds);
    [{ id: org }, { id: other }] = await ds.query(`INSERT INTO organization (name) VALUES ('a'), ('b') RETURNING id`);
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('create, update, delete: one entry each, before/after from the versions; a refused If-Match writes nothing', async () => {
    await repo.save(version(org, 'life', ['a']), 'create', { actor: user('u1') });
    await repo.save(version(org, 'life', ['b']), 'upsert', { actor: user('u2'), ifMatch: [1] });
    await assert.rejects(repo.save(version(org, 'life', ['c']), 'upsert', { actor: user('u3'), ifMatch: [1] }), { code: 'precondition_failed', statusCode: 412, message: /version 2/ });
    await assert.rejects(repo.delete(org, 'life', { actor: user('u3'), ifMatch: [1] }), { code: 'precondition_failed' });
    assert.equal(await repo.delete(org, 'life', { actor: user('u4'), ifMatch: '*' }), true);
    await assert.rejects(repo.save(version(org, 'life', ['d']), 'upsert', { ifMatch: '*' }), { code: 'precondition_failed', message: /does not exist \(or was deleted\)/ });
    const rows = (await all(10, { policyId: 'life' })).reverse();
    assert.deepEqual(
      rows.map((r) => r.source === 'revision' && [r.editType, r.policyVersion, r.actor.id, r.before, r.after]),
      [
        ['policy_create', 1, 'u1', null, doc('life', ['a'])],
        ['policy_update', 2, 'u2', doc('life', ['a']), doc('life', ['b'])],
        ['policy_delete', 2, 'u4', doc('life', ['b']), null],
      ],
    );
    assert.deepEqual((await repo.versions(org, 'life', null, 10)).map((v) => v.version), [2, 1], 'the refused saves left no version');
  });

  it('the config pointer: saved with its version and entry, created_at kept, follows later versions, gone with the policy', async () => {
    assert.equal(await repo.findConfig(org), null);
    const first = await repo.saveConfig(version(org, 'policy-gateway', ['one']), { actor: user('u1') });
    const second = await repo.saveConfig(version(org, 'policy-gateway', ['two']), { actor: user('u1') });
    assert.deepEqual([first.row.version, first.created, second.row.version, second.created], [1, true, 2, false]);
    assert.equal(second.configCreatedAt.getTime(), first.configCreatedAt.getTime());
    assert.ok(second.configUpdatedAt > first.configUpdatedAt);
    await repo.save(version(org, 'policy-gateway', ['three']), 'upsert');
    const found = await repo.findConfig(org);
    assert.deepEqual([found?.policyId, found?.latest?.version, found?.latest?.document], ['policy-gateway', 3, doc('policy-gateway', ['three'])]);
    const entries = (await all(10, { policyId: 'policy-gateway' })).map((r) => r.source === 'revision' && r.editType);
    assert.deepEqual(entries, ['policy_update', 'config_save', 'config_save']);
    await repo.delete(org, 'policy-gateway');
    assert.deepEqual([(await repo.findConfig(org))?.policyId, (await repo.findConfig(org))?.latest], ['policy-gateway', null]);
  });

  it('pages through ties (same microsecond in both sources) without loss or duplicates; scoped to the organisation', async () => {
    const [{ now }] = await ds.query<{ now: string }[]>(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`);
    const base = Date.parse(now) + 3_600_000; // an hour on: no other row of this suite is newer
    const tieAt = new Date(base).toISOString().replace('Z', '456Z'); // with microseconds
    await ds.transaction(async (m) => {
      for (let i = 0; i < 4; i++) await m.query(`INSERT INTO policy_history (org_id, edit_type, policy_id, actor_kind, actor_id, created_at) VALUES ($1, 'project_update', 'tie', 'user', 'u', $2)`, [org, tieAt]);
    });
    const enforced: string[] = [];
    for (let i = 0; i < 5; i++) enforced.push(await audit(org, tieAt, { policy_id: 'tie', decision: i % 2 ? 'refuse' : 'allow' }));
    await audit(other, tieAt, { policy_id: 'tie', decision: 'allow' });
    await audit(org, tieAt, null); // not a policy request
    await audit(null, tieAt, { policy_id: 'tie', decision: 'allow' }); // a policy request of no organisation (old rows)
    const expected = (await reader.page({ orgId: org, policyId: 'tie' }, null, 100)).map((r) => `${r.source}:${r.id}`);
    assert.equal(expected.length, 9);
    assert.deepEqual(expected.slice(4), enforced.reverse().map((id) => `enforcement:${id}`), 'at one instant: revisions, then enforcement by id desc');
    for (const limit of [1, 2, 3, 4, 8]) assert.deepEqual((await all(limit, { policyId: 'tie' })).map((r) => `${r.source}:${r.id}`), expected, `limit ${limit}`);
    assert.equal((await all(2, { policyId: 'tie', decision: 'refuse' })).length, 2);
    assert.equal((await all(2, { policyId: 'tie', type: 'revision' })).length, 4);
    assert.equal((await all(2, { policyId: 'tie' }, other)).length, 1);
    const window = await all(3, { policyId: 'tie', from: new Date(base), to: new Date(base + 1) });
    assert.equal(window.length, 9, '[from, to) holds the instant');
    assert.equal((await all(3, { policyId: 'tie', to: new Date(base) })).length, 0);
  });

  it('enforcement rows carry the enforced version’s name and classification and the project’s name', async () => {
    await repo.save(version(org, 'named', ['x']), 'create');
    await ds.query(`INSERT INTO project (org_id, project_id, name, policy_id) VALUES ($1, 'proj_bot', 'Support Bot', 'named')`, [org]);
    await audit(org, new Date(Date.now() + 7_200_000), { policy_id: 'named', policy_version: 1, decision: 'refuse', project_id: 'proj_bot' });
    await appendHistory(ds, { orgId: org, editType: 'project_update', projectId: 'proj_bot', actor: user('u9'), after: { name: 'Support Bot' } });
    const [enforcement] = await reader.page({ orgId: org, type: 'enforcement', policyId: 'named' }, null, 5);
    assert.ok(enforcement.source === 'enforcement');
    assert.deepEqual([enforcement.policyName, enforcement.dataClassification, enforcement.projectLabel, enforcement.policyVersion], ['Policy named', 'restricted', 'Support Bot', 1]);
    const [project] = await reader.page({ orgId: org, type: 'revision', projectId: 'proj_bot' }, null, 5);
    assert.deepEqual([project.source, project.projectLabel], ['revision', 'Support Bot']);
  });
});
