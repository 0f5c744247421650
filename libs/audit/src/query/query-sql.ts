import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { EVENT_SELECT } from '../chain/event-row';
import { requestEventId } from '../chain/record-to-event';
import type { AuditQuery } from './audit-query';
import { encodeCursor } from './cursor';

/** SQL text with `$n` placeholders and the values to bind: no client value is ever part of the text. */
export interface SqlQuery {
  sql: string;
  params: unknown[];
}

const POLICY = "attributes->'policy'";

/** `x` when it is a JSON array, else `[]` (the set-returning JSON functions raise on anything else). */
const arrayOrEmpty = (x: string) => `CASE WHEN jsonb_typeof(${x}) = 'array' THEN ${x} ELSE '[]'::jsonb END`;

/**
 * The conditions (without `WHERE`) of an org's events matching `q`, for `FROM audit_event`.
 *
 * - `org_id = $1` comes first, always: every read is scoped to the caller's organisation and served by
 *   the primary key `(org_id, seq, created_at)`.
 * - The time range is on `created_at`, the partition key, so Postgres prunes the months outside it.
 * - Policy fields are read from `attributes.policy` (enforcement events of policy requests). `policy_id`
 *   also matches revisions of that policy (`attributes.policy_id`); `category` matches the policy's
 *   `triggered_categories` and the `/v1` `flagged_categories.triggered`.
 * - The cursor is a keyset bound on `seq` (newest first).
 */
export function eventsWhere(orgId: string, q: AuditQuery): SqlQuery {
  const params: unknown[] = [orgId];
  const bind = (v: unknown) => `$${params.push(v)}`;
  const where = ['org_id = $1'];
  const eq = (col: string, v: string | undefined) => {
    if (v !== undefined) where.push(`${col} = ${bind(v)}`);
  };
  if (q.from) where.push(`created_at >= ${bind(q.from.toISOString())}::timestamptz`);
  if (q.to) where.push(`created_at < ${bind(q.to.toISOString())}::timestamptz`);
  if (q.classes) where.push(`event_type = ANY(${bind(q.classes)}::text[])`);
  eq(`${POLICY}->>'decision'`, q.decision);
  eq(`${POLICY}->>'effective_decision'`, q.effectiveDecision);
  eq(`${POLICY}->>'reason_code'`, q.reasonCode);
  if (q.policyId !== undefined) {
    const p = bind(q.policyId);
    where.push(`(${POLICY}->>'policy_id' = ${p} OR attributes->>'policy_id' = ${p})`);
  }
  eq('project_id', q.projectId);
  eq('user_id', q.userId);
  eq(`${POLICY}->>'policy_user'`, q.policyUser);
  eq('api_key_id', q.keyId);
  eq('model', q.model);
  eq('surface', q.surface);
  if (q.category !== undefined) {
    const c = bind(q.category);
    where.push(`(${POLICY}->'triggered_categories' ? ${c} OR attributes->'flagged_categories'->'triggered' ? ${c})`);
  }
  if (q.status) where.push(`http_status BETWEEN ${bind(q.status.min)} AND ${bind(q.status.max)}`);
  if (q.requestId !== undefined) {
    // A request's event id is derived from its request id: the event_id index finds it, no request_id index needed.
    where.push(`event_id = ${bind(requestEventId(q.requestId))}::uuid`, `request_id = ${bind(q.requestId)}`);
  }
  if (q.beforeSeq !== undefined) where.push(`seq < ${bind(q.beforeSeq)}::bigint`);
  return { sql: where.join(' AND '), params };
}

/**
 * One page, newest first: `limit + 1` rows are read so {@link toPage} can tell whether another page
 * follows. Ordered by `seq` (per-org, gap-free, monotonic), the primary key's order within each month.
 */
export function eventsPageSql(orgId: string, q: AuditQuery): SqlQuery {
  const w = eventsWhere(orgId, q);
  const limit = `$${w.params.push(q.limit + 1)}`;
  return { sql: `SELECT ${EVENT_SELECT} FROM audit_event WHERE ${w.sql} ORDER BY seq DESC LIMIT ${limit}`, params: w.params };
}

/** The page an API answers from the rows of {@link eventsPageSql}: at most `limit` events and the next cursor. */
export function toPage(events: ChainedAuditEvent[], limit: number): { events: ChainedAuditEvent[]; next_cursor: string | null } {
  if (events.length <= limit) return { events, next_cursor: null };
  const page = events.slice(0, limit);
  return { events: page, next_cursor: encodeCursor(page[page.length - 1].seq) };
}

/** Rows of {@link statsSql}`.grouped`: `dim` is `total`, `decision`, `project` or `day`; `k` null for no value. */
export interface GroupedStatsRow {
  dim: 'total' | 'decision' | 'project' | 'day';
  k: string | null;
  n: string | number;
}

/** Rows of {@link statsSql}`.categories`. */
export interface CategoryStatsRow {
  k: string;
  n: string | number;
}

/**
 * Counts for `GET /api/audit/stats`, over the same filters as the events (the cursor ignored):
 * - `grouped`: the total and the counts by decision, project and UTC day of `created_at`, in one scan
 *   (`GROUPING SETS`);
 * - `categories`: events by triggered category (an event counts once per distinct category, whether the
 *   policy or the `/v1` `flagged_categories` reported it).
 */
export function statsSql(orgId: string, q: AuditQuery): { grouped: SqlQuery; categories: SqlQuery } {
  const w = eventsWhere(orgId, { ...q, beforeSeq: undefined });
  const grouped = `
    SELECT CASE WHEN GROUPING(decision) = 0 THEN 'decision' WHEN GROUPING(project) = 0 THEN 'project'
                WHEN GROUPING(day) = 0 THEN 'day' ELSE 'total' END AS dim,
           COALESCE(decision, project, day) AS k, count(*)::bigint AS n
      FROM (SELECT ${POLICY}->>'decision' AS decision, project_id AS project,
                   to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
              FROM audit_event WHERE ${w.sql}) e
     GROUP BY GROUPING SETS ((decision), (project), (day), ())`;
  const categories = `
    SELECT c.k, count(*)::bigint AS n
      FROM audit_event e
      CROSS JOIN LATERAL (
        SELECT jsonb_array_elements_text(${arrayOrEmpty(`e.${POLICY}->'triggered_categories'`)})
        UNION
        SELECT jsonb_array_elements_text(${arrayOrEmpty("e.attributes->'flagged_categories'->'triggered'")})
      ) AS c(k)
     WHERE ${w.sql}
     GROUP BY c.k`;
  return { grouped: { sql: grouped, params: w.params }, categories: { sql: categories, params: [...w.params] } };
}
