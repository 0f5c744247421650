import type { EnforcementRow, HistoryRow, RevisionRow } from '@gw/policy';

/** One entry of `GET /api/policy-gateway/history` (spec §4.9.2), both types in one shape. */
export interface HistoryEntry {
  id: string;
  type: 'revision' | 'enforcement';
  created_at: string;
  policy_id: string | null;
  policy_name: string | null;
  policy_version: number | null;
  decision: string | null;
  effective_decision: string | null;
  reason_code: string | null;
  triggered_categories: string[];
  /** Simulations are not recorded, so always empty; kept for the spec's shape. */
  scenario_categories: string[];
  rollout_mode: string | null;
  enforced: boolean | null;
  allowlist_hits: string[];
  denylist_hits: string[];
  policy_target: string | null;
  policy_user: string | null;
  quota_subject: string | null;
  project_id: string | null;
  project_label: string | null;
  data_classification: string | null;
  model: string | null;
  /** The policy document saved by a policy revision (the spec's full `PolicyConfig` snapshot); null otherwise. */
  config: unknown;
  edit_type?: string;
  actor?: { kind: string; id: string | null };
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

/** Revisions whose `after` is a policy document (other revisions record projects, keys or rollout state). */
const POLICY_EDITS = new Set(['policy_create', 'policy_update', 'policy_delete', 'policy_restore', 'config_save']);

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A policy document's name and data classification (Gen 1: `org_controls.data_classification`; Gen 2: `classification`). */
function documentFacts(doc: unknown): { name: string | null; classification: string | null } {
  const d = obj(doc);
  return { name: str(d.name), classification: str(obj(d.org_controls).data_classification) ?? str(d.classification) };
}

const EMPTY = {
  decision: null,
  effective_decision: null,
  reason_code: null,
  triggered_categories: [],
  scenario_categories: [],
  rollout_mode: null,
  enforced: null,
  allowlist_hits: [],
  denylist_hits: [],
  policy_target: null,
  policy_user: null,
  quota_subject: null,
  model: null,
};

function revision(r: RevisionRow): HistoryEntry {
  const isPolicy = POLICY_EDITS.has(r.editType);
  const facts = isPolicy ? documentFacts(r.after ?? r.before) : { name: null, classification: null };
  return {
    id: `rev_${r.id}`,
    type: 'revision',
    created_at: r.createdAt.toISOString(),
    policy_id: r.policyId,
    policy_name: facts.name,
    policy_version: r.policyVersion,
    ...EMPTY,
    project_id: r.projectId,
    project_label: r.projectLabel,
    data_classification: facts.classification,
    config: isPolicy ? (r.after ?? null) : null,
    edit_type: r.editType,
    actor: r.actor,
    before: r.before,
    after: r.after,
    details: r.details,
  };
}

function enforcement(r: EnforcementRow): HistoryEntry {
  const p = r.policy;
  return {
    id: `enf_${r.id}`,
    type: 'enforcement',
    created_at: r.createdAt.toISOString(),
    policy_id: r.policyId,
    policy_name: r.policyName,
    policy_version: r.policyVersion,
    decision: str(p.decision),
    effective_decision: str(p.effective_decision),
    reason_code: str(p.reason_code),
    triggered_categories: strs(p.triggered_categories),
    scenario_categories: [],
    rollout_mode: str(p.rollout_mode),
    enforced: typeof p.enforced === 'boolean' ? p.enforced : null,
    allowlist_hits: strs(p.allowlist_hits),
    denylist_hits: strs(p.denylist_hits),
    policy_target: str(p.policy_target),
    policy_user: str(p.policy_user),
    quota_subject: str(p.quota_subject),
    project_id: r.projectId,
    project_label: r.projectLabel,
    data_classification: r.dataClassification,
    model: r.model,
    config: null,
  };
}

export function toHistoryEntry(r: HistoryRow): HistoryEntry {
  return r.source === 'revision' ? revision(r) : enforcement(r);
}
