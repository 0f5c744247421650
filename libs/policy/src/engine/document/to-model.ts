/** Maps a validated policy document of either generation onto the one internal model (defaults filled in). */
import { DEFAULT_REASON_CODES, type PolicyAction, type PolicyModel, type QuotaSpec } from '../model';
import { CATEGORIES, PII_CATEGORIES, PII_TYPES, type Category, type Decision, type PiiType } from '../types';
import type { AuditWire, Gen1Doc, Gen2Doc } from './wire';

const ACTIONS: Record<string, PolicyAction> = { rewrite: 'rewrite', block: 'refuse', refuse: 'refuse', summarize: 'summary', summary: 'summary', escalate: 'escalate' };

function reasonCodes(codes: string[] | Partial<Record<Decision, string>> | undefined): Record<Decision, string> {
  const out = { ...DEFAULT_REASON_CODES };
  if (Array.isArray(codes)) {
    // A list names the codes the policy emits; each is used for the decision whose default code it extends.
    for (const d of Object.keys(out) as Decision[]) {
      const own = codes.find((c) => c === DEFAULT_REASON_CODES[d]) ?? codes.find((c) => c.startsWith(`${DEFAULT_REASON_CODES[d]}_`));
      if (own) out[d] = own;
    }
  } else if (codes) Object.assign(out, codes);
  return out;
}

function splitCategories(names: string[] | undefined): { categories: Category[]; piiCategories: PiiType[] } {
  const categories = new Set<Category>();
  const pii = new Set<PiiType>();
  for (const n of names ?? []) {
    if ((CATEGORIES as readonly string[]).includes(n)) categories.add(n as Category);
    else if (PII_CATEGORIES[n]) pii.add(PII_CATEGORIES[n]);
  }
  return { categories: [...categories], piiCategories: [...pii] };
}

const dedupTerms = (terms: string[] | undefined): string[] => [...new Set(terms ?? [])];
const quota = (q: Partial<QuotaSpec> | undefined): QuotaSpec | null =>
  q && (q.requests || q.tokens) ? { requests: q.requests ?? 0, tokens: q.tokens ?? 0, window: q.window ?? 'monthly' } : null;

/** The `audit` block (same in both generations); a retention without `retain_content` retains nothing. */
const auditOf = (a: AuditWire | undefined): PolicyModel['audit'] => ({ retainContent: a?.retain_content === true, contentRetentionDays: a?.content_retention_days ?? null });

export function fromGen1(doc: Gen1Doc): PolicyModel {
  const r = doc.rules ?? {};
  const mode = r.response_pattern ?? doc.refusal_replacement?.mode ?? (r.rewrite_instead_of_refuse ? 'rewrite' : 'refuse');
  const ro = doc.rollout ?? {};
  const rolloutMode = ro.canary?.enabled ? 'canary' : ro.shadow?.enabled ? 'shadow' : 'enforced';
  return {
    generation: 1,
    policyId: doc.policy_id ?? null,
    name: doc.name ?? null,
    description: doc.description ?? null,
    owner: doc.owner ?? null,
    classification: doc.org_controls?.data_classification ?? null,
    allowlist: dedupTerms(r.allowlist),
    denylist: dedupTerms(r.denylist),
    ...splitCategories(r.flagged_categories),
    redact: r.redact === true,
    piiTypes: r.pii_types ?? [...PII_TYPES],
    action: ACTIONS[mode],
    escalationPath: doc.refusal_replacement?.escalation_path ?? null,
    reasonCodes: reasonCodes(r.reason_codes),
    classifier: r.classifier ?? null,
    classifierFailOpen: r.classifier_fail_open === true,
    rewriteInstruction: r.rewrite_instruction ?? null,
    summaryInstruction: r.summary_instruction ?? null,
    rollout: {
      mode: rolloutMode,
      percentage: rolloutMode === 'canary' ? (ro.canary?.sample_percent ?? 0) : rolloutMode === 'enforced' ? 100 : 0,
      targets: (rolloutMode === 'canary' ? ro.canary?.targets : rolloutMode === 'shadow' ? ro.shadow?.targets : undefined) ?? [],
      autoRollback: ro.rollback_on_spike
        ? {
            enabled: true,
            threshold: ro.rollback_threshold ?? 0.25,
            minRequests: ro.rollback_min_requests ?? 20,
            windowMinutes: ro.rollback_window_minutes ?? 15,
            cooldownMinutes: ro.rollback_cooldown_minutes ?? 30,
            decisions: ro.rollback_decisions ?? ['refuse', 'escalate'],
          }
        : null,
    },
    orgControls: {
      projectKeys: doc.org_controls?.project_keys ?? false,
      userQuotas: doc.org_controls?.user_quotas ?? false,
      auditLogs: doc.org_controls?.audit_logs ?? true,
      userQuota: doc.org_controls?.user_quotas === false ? null : quota(doc.org_controls?.user_quota),
      projectQuota: quota(doc.org_controls?.project_quota),
    },
    audit: auditOf(doc.audit),
  };
}

export function fromGen2(doc: Gen2Doc): PolicyModel {
  const r = doc.config.rules ?? {};
  const d = doc.config.deployment;
  // No deployment block: enforced (an inline policy is meant to apply). With one: spec §4.4's table.
  const mode = !d ? 'enforced' : !d.enabled ? 'shadow' : (d.percentage ?? 100) >= 100 ? 'enforced' : 'canary';
  const ar = d?.auto_rollback;
  return {
    generation: 2,
    policyId: doc.policy_id ?? doc.name ?? null,
    name: doc.name ?? null,
    description: doc.description ?? null,
    owner: null,
    classification: doc.classification ?? null,
    allowlist: dedupTerms(r.allowlist),
    denylist: dedupTerms(r.denylist),
    ...splitCategories(r.flagged_categories),
    redact: r.redact_pii === true,
    piiTypes: r.pii_types ?? [...PII_TYPES],
    action: ACTIONS[r.enforcement_action ?? 'block'],
    escalationPath: r.escalation_path ?? null,
    reasonCodes: reasonCodes(r.reason_codes),
    classifier: r.classifier ?? null,
    classifierFailOpen: r.classifier_fail_open === true,
    rewriteInstruction: r.rewrite_instruction ?? null,
    summaryInstruction: r.summary_instruction ?? null,
    rollout: {
      mode,
      percentage: mode === 'canary' ? (d?.percentage ?? 0) : mode === 'enforced' ? 100 : 0,
      targets: [],
      autoRollback: ar?.enabled
        ? {
            enabled: true,
            threshold: (ar.threshold_pct ?? 20) / 100,
            minRequests: ar.min_requests ?? 100,
            windowMinutes: ar.window_minutes ?? 15,
            cooldownMinutes: ar.cooldown_minutes ?? 60,
            decisions: ar.rollback_decisions ?? ['refuse', 'escalate'],
          }
        : null,
    },
    orgControls: { projectKeys: true, userQuotas: true, auditLogs: true, userQuota: null, projectQuota: null },
    audit: auditOf(doc.audit),
  };
}
