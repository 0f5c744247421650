import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareDesc, historyWhere, type HistoryPosition } from './policy-history.sql';

const at = (s: string) => `2026-04-20T18:30:00.${s}Z`;
const pos = (t: string, source: HistoryPosition['source'], id: string): HistoryPosition => ({ at: at(t), source, id });

describe('history order and WHERE clauses', () => {
  it('orders newest first, then revisions before enforcement, then higher ids (bigint, not text)', () => {
    const rows = [pos('000001', 'enforcement', '9'), pos('000002', 'enforcement', '1'), pos('000001', 'revision', '2'), pos('000001', 'enforcement', '10')];
    assert.deepEqual(rows.sort(compareDesc), [pos('000002', 'enforcement', '1'), pos('000001', 'revision', '2'), pos('000001', 'enforcement', '10'), pos('000001', 'enforcement', '9')]);
  });

  it('binds every value and scopes enforcement rows to policy events of the organisation', () => {
    const w = historyWhere('enforcement', { orgId: 'org', policyId: 'p', projectId: 'proj_x', decision: 'refuse', from: new Date(0), to: new Date(1) }, null);
    assert.equal(
      w.sql,
      "org_id = $1 AND attributes->'policy' IS NOT NULL AND attributes->'policy'->>'policy_id' = $2 AND attributes->'policy'->>'project_id' = $3 AND attributes->'policy'->>'decision' = $4 AND started_at >= $5 AND started_at < $6",
    );
    assert.deepEqual(w.params, ['org', 'p', 'proj_x', 'refuse', new Date(0), new Date(1)]);
    assert.equal(historyWhere('revision', { orgId: 'org', decision: 'allow' }, null).sql, 'org_id = $1 AND false', 'revisions have no decision');
  });

  it('past the cursor: equal times continue by rank, then id', () => {
    const cursor = pos('000001', 'revision', '7');
    const rev = historyWhere('revision', { orgId: 'o' }, cursor);
    assert.equal(rev.sql, 'org_id = $1 AND created_at <= $2::timestamptz AND (created_at < $2::timestamptz OR id < $3::bigint)');
    assert.deepEqual(rev.params, ['o', cursor.at, '7']);
    assert.equal(historyWhere('enforcement', { orgId: 'o' }, cursor).params[2], '9223372036854775807', 'every enforcement row at that time comes after');
    assert.equal(historyWhere('revision', { orgId: 'o' }, { ...cursor, source: 'enforcement' }).params[2], '0', 'no revision at that time does');
    assert.match(historyWhere('enforcement', { orgId: 'o' }, cursor).sql, /OR seq < \$3::bigint\)$/, 'an enforcement row is placed by its chain seq');
  });
});
