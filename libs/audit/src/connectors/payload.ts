import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { NO_ORG } from '../chain/record-to-event';

/**
 * The connector payload: spec §4.9.1's flat "policy event", which SIEM rules and dashboards are written against,
 * plus `audit`, the chained event itself, unchanged. Keeping `audit` whole (rather than only "the rest") costs a few
 * hundred bytes of duplicated policy fields and buys two things: the SIEM has every field, and it can recompute
 * `audit.entry_hash` (SHA-256 over RFC 8785 JCS of `audit` without `entry_hash`) and match it against the chain,
 * the checkpoints and `verify-audit`. Nothing is added that is not in the event; missing values are `null`,
 * missing lists `[]`.
 */
export interface PolicyEventPayload {
  event_id: string;
  event_type: string;
  source: 'policy_gateway';
  created_at: string;
  user_id: string | null;
  /** `null` for events of no organisation (the chain of the nil UUID; `audit.org_id` keeps it). */
  org_id: string | null;
  policy_id: string | null;
  policy_name: string | null;
  data_classification: string | null;
  history_id: string | null;
  decision: string | null;
  effective_decision: string | null;
  enforced: boolean | null;
  rollout_mode: string | null;
  reason_code: string | null;
  triggered_categories: string[];
  allowlist_hits: string[];
  denylist_hits: string[];
  policy_target: string | null;
  policy_user: string | null;
  quota_subject: string | null;
  project_id: string | null;
  project_label: string | null;
  model: string | null;
  audit: ChainedAuditEvent;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Revision actions whose `before`/`after` is a policy document (as in the history mapper). */
const POLICY_EDITS = new Set(['policy_create', 'policy_update', 'policy_delete', 'policy_restore', 'config_save']);

/**
 * A policy field: from `attributes.policy` (enforcement, simulation); `policy_*` and `history_id` also from the top
 * of `attributes`, where revisions carry them (as the CSV export reads them). Other top-level attributes of admin
 * events are free-form details and are not taken for decision fields.
 */
const TOP_LEVEL = /^(policy_|history_id$)/;
const field = (e: ChainedAuditEvent, key: string): unknown => obj(e.attributes.policy)[key] ?? (TOP_LEVEL.test(key) ? e.attributes[key] : undefined);

/** A policy revision's document (after the change, or before a deletion), for its name and classification. */
function revisedPolicy(e: ChainedAuditEvent): Obj {
  if (e.event_type !== 'revision' || !POLICY_EDITS.has(String(e.attributes.action))) return {};
  return obj(e.attributes.after ?? e.attributes.before);
}

/** Gen 1 keeps the classification in `org_controls.data_classification`, Gen 2 in `classification`. */
const classificationOf = (doc: Obj): string | null => str(obj(doc.org_controls).data_classification) ?? str(doc.classification);

/** Categories the policy triggered, then those of a flagged `/v1` request, each once (as the CSV export). */
function categories(e: ChainedAuditEvent): string[] {
  return [...new Set([...strings(obj(e.attributes.policy).triggered_categories), ...strings(obj(e.attributes.flagged_categories).triggered)])];
}

/** The connector payload of one event. */
export function policyEventPayload(e: ChainedAuditEvent): PolicyEventPayload {
  const doc = revisedPolicy(e);
  const enforced = field(e, 'enforced');
  return {
    event_id: e.event_id,
    event_type: e.event_type,
    source: 'policy_gateway',
    created_at: e.created_at,
    user_id: e.principal.user_id,
    org_id: e.org_id === NO_ORG ? null : e.org_id,
    policy_id: str(field(e, 'policy_id')),
    policy_name: str(field(e, 'policy_name')) ?? str(doc.name),
    data_classification: str(field(e, 'data_classification')) ?? classificationOf(doc),
    history_id: str(field(e, 'history_id')),
    decision: str(field(e, 'decision')),
    effective_decision: str(field(e, 'effective_decision')),
    enforced: typeof enforced === 'boolean' ? enforced : null,
    rollout_mode: str(field(e, 'rollout_mode')),
    reason_code: str(field(e, 'reason_code')),
    triggered_categories: categories(e),
    allowlist_hits: strings(field(e, 'allowlist_hits')),
    denylist_hits: strings(field(e, 'denylist_hits')),
    policy_target: str(field(e, 'policy_target')),
    policy_user: str(field(e, 'policy_user')),
    quota_subject: str(field(e, 'quota_subject')),
    project_id: e.project_id ?? str(field(e, 'project_id')),
    project_label: str(field(e, 'project_label')),
    model: e.model,
    audit: e,
  };
}

/** The payload as one line of JSON (no line breaks inside: JSON.stringify escapes them), for JSON Lines and bodies. */
export const payloadJson = (e: ChainedAuditEvent): string => JSON.stringify(policyEventPayload(e));

/** Milliseconds since the epoch of an event's timestamp; a RangeError (a data error, not retryable) if it is not a date. */
export function epochMs(iso: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError('audit event has an invalid timestamp');
  return ms;
}
