/** Where a history entry comes from: `policy_history` or `audit_event`. */
export type HistorySource = 'revision' | 'enforcement';

/** A row's place in the merged order: its time with microseconds (`…T12:00:00.123456Z`), source and id. */
export interface HistoryPosition {
  at: string;
  source: HistorySource;
  id: string;
}

interface Conditions {
  orgId: string;
  policyId?: string;
  projectId?: string;
  decision?: string;
  from?: Date;
  to?: Date;
}

const RANK: Record<HistorySource, number> = { revision: 1, enforcement: 0 };
const MAX_ID = '9223372036854775807';

/** Newest first; at equal times revisions before enforcement, then by id (the cursor's total order). */
export function compareDesc(a: HistoryPosition, b: HistoryPosition): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.source !== b.source) return RANK[b.source] - RANK[a.source];
  const [x, y] = [BigInt(a.id), BigInt(b.id)];
  return x === y ? 0 : x < y ? 1 : -1;
}

/**
 * Columns per source. Enforcement rows are the audit events of policy requests, identified within their
 * organisation by their chain position `seq`. Only literal SQL here: every value is a bind parameter.
 */
const COLUMNS: Record<HistorySource, { time: string; id: string; scope: string | null; policyId: string; projectId: string; decision: string | null }> = {
  revision: { time: 'created_at', id: 'id', scope: null, policyId: 'policy_id', projectId: 'project_id', decision: null },
  enforcement: {
    time: 'started_at',
    id: 'seq',
    scope: "attributes->'policy' IS NOT NULL",
    policyId: "attributes->'policy'->>'policy_id'",
    projectId: "attributes->'policy'->>'project_id'",
    decision: "attributes->'policy'->>'decision'",
  },
};

/**
 * The WHERE clause of one source's page. Past the cursor means, in the order (time, source rank, id) descending:
 * an earlier time, or the cursor's time with a lower rank, or the same rank and a lower id. Per source that is
 * `time < at OR (time = at AND id < bound)` with `bound` the cursor's id, all ids, or none, plus `time <= at`
 * spelled out so the planner starts the (time) index scan at the cursor.
 */
export function historyWhere(source: HistorySource, c: Conditions, after: HistoryPosition | null): { sql: string; params: unknown[] } {
  const col = COLUMNS[source];
  const params: unknown[] = [c.orgId];
  const where = ['org_id = $1'];
  const bind = (v: unknown) => `$${params.push(v)}`;
  if (col.scope) where.push(col.scope);
  if (c.policyId !== undefined) where.push(`${col.policyId} = ${bind(c.policyId)}`);
  if (c.projectId !== undefined) where.push(`${col.projectId} = ${bind(c.projectId)}`);
  if (c.decision !== undefined) where.push(col.decision ? `${col.decision} = ${bind(c.decision)}` : 'false');
  if (c.from) where.push(`${col.time} >= ${bind(c.from)}`);
  if (c.to) where.push(`${col.time} < ${bind(c.to)}`);
  if (after) {
    const at = bind(after.at);
    const rank = RANK[source] - RANK[after.source];
    const bound = bind(rank > 0 ? '0' : rank === 0 ? after.id : MAX_ID);
    where.push(`${col.time} <= ${at}::timestamptz`, `(${col.time} < ${at}::timestamptz OR ${col.id} < ${bound}::bigint)`);
  }
  return { sql: where.join(' AND '), params };
}
