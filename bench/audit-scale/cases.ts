import { createHash } from 'node:crypto';
import { CATEGORIES, MODELS, POLICIES, SPACE } from './load-sql';

/**
 * The query strings the bench sends through the API's own parser, one per filter the events API supports (a
 * frequent value and, where the vocabulary has a tail, a rare one), plus the combinations a dashboard uses and
 * values that match nothing (the worst case of a keyset read: the whole org is walked). `fix`: the index that
 * would serve the filter (partitioned, so one per month), created and measured only when the case is flagged.
 */
export interface FilterCase {
  name: string;
  filter: string;
  query: Record<string, string>;
  fix?: { what: string; sql: string[] };
}

/** `bench_id()` of load-sql.ts: md5 of the text as a UUID. */
const id = (t: string) => createHash('md5').update(t).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const POLICY = "(attributes->'policy')";
const btree = (name: string, expr: string, where = '') => ({
  what: `(org_id, ${expr}, seq)${where ? ` WHERE ${where}` : ''}`,
  sql: [`CREATE INDEX bench_fix_${name} ON audit_event (org_id, (${expr}), seq)${where ? ` WHERE ${where}` : ''}`],
});
const policyField = (name: string, field: string) => btree(name, `${POLICY}->>'${field}'`, `${POLICY} IS NOT NULL`);
const CATEGORY_FIX = {
  what: "GIN ((attributes->'policy'->'triggered_categories')) + GIN ((attributes->'flagged_categories'->'triggered'))",
  sql: [
    `CREATE INDEX bench_fix_cat_policy ON audit_event USING gin ((${POLICY}->'triggered_categories'))`,
    `CREATE INDEX bench_fix_cat_flagged ON audit_event USING gin ((attributes->'flagged_categories'->'triggered'))`,
  ],
};
const POLICY_ID_FIX = {
  what: "(org_id, attributes->'policy'->>'policy_id', seq) + (org_id, attributes->>'policy_id', seq), partial",
  sql: [...policyField('policy_id', 'policy_id').sql, ...btree('rev_policy_id', "attributes->>'policy_id'", "(attributes->>'policy_id') IS NOT NULL").sql],
};

export interface CaseContext {
  orgIdx: number;
  /** Middle of the data range: one-day windows start here. */
  mid: Date;
  end: Date;
  requestId: string;
  /** `next_cursor` of the first page, and a cursor halfway down the org's chain. */
  cursor: string;
  deepCursor: string;
}

const day = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000).toISOString();

export function filterCases(c: CaseContext): FilterCase[] {
  const o = c.orgIdx;
  const lastOf = (space: readonly [number, number]) => space[0] - 1;
  const range = { from: c.mid.toISOString(), to: day(c.mid, 1) };
  return [
    { name: 'no filter', filter: '–', query: {} },
    { name: '2nd page (cursor)', filter: 'cursor', query: { cursor: c.cursor } },
    { name: 'page halfway down', filter: 'cursor', query: { cursor: c.deepCursor } },
    { name: 'time: 1 day', filter: 'from/to', query: range },
    { name: 'time: last 7 days', filter: 'from', query: { from: day(c.end, -7) } },
    { name: 'class=admin (3 %)', filter: 'class', query: { class: 'admin' }, fix: btree('class', 'event_type') },
    { name: 'class=revision (0.5 %)', filter: 'class', query: { class: 'revision' }, fix: btree('class', 'event_type') },
    { name: 'decision=refuse', filter: 'decision', query: { decision: 'refuse' }, fix: policyField('decision', 'decision') },
    { name: 'decision=summary (rare)', filter: 'decision', query: { decision: 'summary' }, fix: policyField('decision', 'decision') },
    { name: 'effective_decision=escalate', filter: 'effective_decision', query: { effective_decision: 'escalate' }, fix: policyField('eff', 'effective_decision') },
    { name: 'reason_code=USER_QUOTA_EXCEEDED', filter: 'reason_code', query: { reason_code: 'USER_QUOTA_EXCEEDED' }, fix: policyField('reason', 'reason_code') },
    { name: 'policy_id (top)', filter: 'policy_id', query: { policy_id: POLICIES[0] }, fix: POLICY_ID_FIX },
    { name: 'policy_id (tail)', filter: 'policy_id', query: { policy_id: POLICIES[POLICIES.length - 1] }, fix: POLICY_ID_FIX },
    { name: 'project_id (top)', filter: 'project_id', query: { project_id: `proj-${o}-0` }, fix: btree('project', 'project_id') },
    { name: 'project_id (tail)', filter: 'project_id', query: { project_id: `proj-${o}-${lastOf(SPACE.project)}` }, fix: btree('project', 'project_id') },
    { name: 'user_id (top)', filter: 'user_id', query: { user_id: id(`u${o}:0`) }, fix: btree('user', 'user_id') },
    { name: 'user_id (tail)', filter: 'user_id', query: { user_id: id(`u${o}:${lastOf(SPACE.user)}`) }, fix: btree('user', 'user_id') },
    { name: 'policy_user (top)', filter: 'policy_user', query: { policy_user: `pu-${o}-0` }, fix: policyField('policy_user', 'policy_user') },
    { name: 'policy_user (tail)', filter: 'policy_user', query: { policy_user: `pu-${o}-${lastOf(SPACE.policyUser)}` }, fix: policyField('policy_user', 'policy_user') },
    { name: 'key_id (top)', filter: 'key_id', query: { key_id: id(`k${o}:0`) }, fix: btree('key', 'api_key_id') },
    { name: 'key_id (tail)', filter: 'key_id', query: { key_id: id(`k${o}:${lastOf(SPACE.key)}`) }, fix: btree('key', 'api_key_id') },
    { name: 'model (top)', filter: 'model', query: { model: MODELS[0] }, fix: btree('model', 'model') },
    { name: 'model (tail)', filter: 'model', query: { model: MODELS[MODELS.length - 1] }, fix: btree('model', 'model') },
    { name: 'surface=messages.count_tokens', filter: 'surface', query: { surface: 'messages.count_tokens' }, fix: btree('surface', 'surface') },
    { name: 'category (top)', filter: 'category', query: { category: CATEGORIES[0] }, fix: CATEGORY_FIX },
    { name: 'category (tail)', filter: 'category', query: { category: CATEGORIES[CATEGORIES.length - 1] }, fix: CATEGORY_FIX },
    { name: 'status=5xx', filter: 'status', query: { status: '5xx' }, fix: btree('status', 'http_status') },
    { name: 'status=429', filter: 'status', query: { status: '429' }, fix: btree('status', 'http_status') },
    { name: 'request_id', filter: 'request_id', query: { request_id: c.requestId } },
    { name: '1 day + decision=refuse', filter: 'from/to+decision', query: { ...range, decision: 'refuse' }, fix: policyField('decision', 'decision') },
    { name: '1 day + user_id (tail)', filter: 'from/to+user_id', query: { ...range, user_id: id(`u${o}:${lastOf(SPACE.user)}`) }, fix: btree('user', 'user_id') },
    { name: 'no match: user_id', filter: 'user_id', query: { user_id: id('nobody') }, fix: btree('user', 'user_id') },
    { name: 'no match: model', filter: 'model', query: { model: 'no-such-model' }, fix: btree('model', 'model') },
    { name: 'no match: request_id', filter: 'request_id', query: { request_id: 'req_00000000000000000000000000000000' } },
  ];
}

/** The stats endpoint (dashboards) over one day and over 30 days. */
export const statsCases = (c: CaseContext): FilterCase[] => [
  { name: 'stats 1 day', filter: 'stats', query: { from: c.mid.toISOString(), to: day(c.mid, 1) } },
  { name: 'stats 30 days', filter: 'stats', query: { from: day(c.end, -30), to: c.end.toISOString() } },
];
