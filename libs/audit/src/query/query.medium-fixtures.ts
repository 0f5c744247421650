import { randomUUID } from 'node:crypto';
import type { AuditEventClass, ChainedAuditEvent } from '../chain/audit-event.types';
import { EVENT_COLUMNS, rowValues } from '../chain/event-row';
import { requestEventId } from '../chain/record-to-event';
import { AUDIT_DECISIONS, type AuditQuery } from './audit-query';

/**
 * Test support for `query-sql.medium-spec.ts`: deterministic synthetic events of several orgs, and an
 * independent in-memory reading of an {@link AuditQuery} (the oracle the SQL results are checked against).
 */

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length];
const hash = (org: string, seq: number) => `${org.slice(0, 8)}${seq.toString(16).padStart(56, '0')}`;

function classOf(i: number): AuditEventClass {
  if (i % 10 === 0) return 'admin';
  if (i % 10 === 1) return 'revision';
  if (i % 20 === 2) return 'auth';
  if (i % 20 === 12) return 'simulation';
  return 'enforcement';
}

/** The attributes of event `i`: a policy object on 3 enforcement events in 4, `/v1` flags on some others. */
function attributesOf(type: AuditEventClass, i: number): Record<string, unknown> {
  if (type === 'revision') return { action: 'policy_update', policy_id: `pol-${i % 3}`, policy_version: (i % 5) + 1 };
  if (type === 'admin') return { action: pick(['key.revoke', 'audit.read', 'user.role'], i) };
  if (type !== 'enforcement') return {};
  if (i % 4 === 3) return i % 8 === 3 ? { flagged_categories: { triggered: ['weapons'] } } : {};
  const decision = pick(AUDIT_DECISIONS, i * 7);
  const shadow = i % 5 === 0;
  const cats = i % 9 === 0 ? ['self-harm'] : i % 9 === 4 ? ['violence', 'self-harm'] : [];
  return {
    policy: {
      decision,
      effective_decision: shadow ? 'allow' : decision,
      reason_code: decision.toUpperCase(),
      policy_id: `pol-${i % 3}`,
      policy_version: 1,
      project_id: `proj-${i % 5}`,
      policy_user: `pu-${i % 7}`,
      triggered_categories: cats,
      enforced: !shadow,
      rollout_mode: shadow ? 'shadow' : 'enforce',
    },
    ...(i % 18 === 0 ? { flagged_categories: { triggered: ['self-harm', 'weapons'] } } : {}),
  };
}

/** `n` events of `org`, seq 1..n, created evenly over `[start, start + spanMs)`. */
export function syntheticEvents(org: string, n: number, start: Date, spanMs: number): ChainedAuditEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    const type = classOf(i);
    const requestId = type === 'enforcement' ? `req-${org.slice(0, 4)}-${i}` : null;
    const at = new Date(start.getTime() + Math.floor((k * spanMs) / n)).toISOString();
    const attributes = attributesOf(type, i);
    const policy = attributes.policy as Record<string, unknown> | undefined;
    return {
      // A request's event id derives from its request id, as the writer makes it (the request_id filter relies on it).
      v: 2, event_id: requestId ? requestEventId(requestId) : randomUUID(), event_type: type, org_id: org, seq: i,
      prev_hash: hash(org, i - 1), created_at: at, occurred_at: at,
      project_id: (policy?.project_id as string | undefined) ?? null,
      principal: type === 'admin' ? { kind: 'user', key_id: null, key_preview: null, user_id: `user-${i % 3}` } : { kind: 'api_key', key_id: `key-${i % 4}`, key_preview: 'sk-…', user_id: null },
      request_id: requestId,
      surface: type === 'enforcement' ? pick(['chat.completions', 'responses', 'messages'], i) : null,
      model: type === 'enforcement' ? pick(['m-a', 'm-b'], i >> 1) : null,
      provider: null, upstream_model: null, stream: null, status: type === 'enforcement' ? 'ok' : null,
      http_status: type === 'enforcement' ? pick([200, 200, 200, 403, 429, 500, 502], i) : null,
      error_code: null, finish_reason: null, input_tokens: 10, output_tokens: 20, started_at: at, latency_ms: 5, ttft_ms: null,
      attributes, entry_hash: hash(org, i),
    };
  });
}

/** The events as the column arrays of `INSERT_EVENTS_SQL` (one array per column). */
export function columnArrays(events: ChainedAuditEvent[]): unknown[][] {
  const rows = events.map(rowValues);
  return EVENT_COLUMNS.map((_, c) => rows.map((r) => r[c]));
}

const policyOf = (e: ChainedAuditEvent) => (e.attributes.policy ?? {}) as Record<string, unknown>;
const strs = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);

/** Whether `e` matches `q`: the meaning of each filter, written without SQL. */
export function matches(e: ChainedAuditEvent, q: AuditQuery): boolean {
  const p = policyOf(e);
  const t = Date.parse(e.created_at);
  const checks: boolean[] = [
    !q.from || t >= q.from.getTime(),
    !q.to || t < q.to.getTime(),
    !q.classes || q.classes.includes(e.event_type),
    q.decision === undefined || p.decision === q.decision,
    q.effectiveDecision === undefined || p.effective_decision === q.effectiveDecision,
    q.reasonCode === undefined || p.reason_code === q.reasonCode,
    q.policyId === undefined || p.policy_id === q.policyId || e.attributes.policy_id === q.policyId,
    q.projectId === undefined || e.project_id === q.projectId,
    q.userId === undefined || e.principal.user_id === q.userId,
    q.policyUser === undefined || p.policy_user === q.policyUser,
    q.keyId === undefined || e.principal.key_id === q.keyId,
    q.model === undefined || e.model === q.model,
    q.surface === undefined || e.surface === q.surface,
    q.category === undefined || strs(p.triggered_categories).includes(q.category) || strs((e.attributes.flagged_categories as { triggered?: unknown })?.triggered).includes(q.category),
    !q.status || (e.http_status !== null && e.http_status >= q.status.min && e.http_status <= q.status.max),
    q.requestId === undefined || e.request_id === q.requestId,
    q.beforeSeq === undefined || e.seq < q.beforeSeq,
  ];
  return checks.every(Boolean);
}
