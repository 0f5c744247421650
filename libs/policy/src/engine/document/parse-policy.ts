import Ajv, { type ErrorObject } from 'ajv';
import { DEFAULT_REASON_CODES, type PolicyAction, type PolicyModel, type QuotaSpec } from '../model';
import { termTokenCount } from '../term-matcher';
import { CATEGORIES, PII_CATEGORIES, PII_TYPES, type Category, type Decision, type PiiType } from '../types';
import { GEN1_SCHEMA, GEN2_SCHEMA, POLICY_LIMITS } from './schemas';
import type { AuditWire, Gen1Doc, Gen2Doc } from './wire';

/** One problem in a policy document: a JSON pointer into it and what is wrong there. */
export interface PolicyIssue {
  path: string;
  message: string;
}

/** An invalid policy document: every bad field, not just the first (a 400 listing them all). */
export class PolicyValidationError extends Error {
  constructor(readonly issues: PolicyIssue[]) {
    const shown = issues.slice(0, 20).map((i) => `${i.path || '/'}: ${i.message}`);
    if (issues.length > 20) shown.push(`… and ${issues.length - 20} more`);
    super(`Invalid policy: ${shown.join('; ')}`);
    this.name = 'PolicyValidationError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
const validateGen1 = ajv.compile(GEN1_SCHEMA);
const validateGen2 = ajv.compile(GEN2_SCHEMA);

/**
 * Validates a policy document of either generation and normalises it to the one internal model. Throws
 * {@link PolicyValidationError} listing every bad path. Gen 2 is recognised by its `config` object.
 */
export function parsePolicy(doc: unknown, sizeBytes?: number): PolicyModel {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyValidationError([{ path: '', message: 'a policy must be a JSON object' }]);
  const bytes = sizeBytes ?? Buffer.byteLength(JSON.stringify(doc));
  if (bytes > POLICY_LIMITS.documentBytes) {
    throw new PolicyValidationError([{ path: '', message: `the document is ${bytes} bytes; the limit is ${POLICY_LIMITS.documentBytes} bytes (1 MiB)` }]);
  }
  const gen2 = 'config' in doc;
  const validate = gen2 ? validateGen2 : validateGen1;
  const issues = validate(doc) ? [] : (validate.errors ?? []).map(issueOf);
  if (issues.length === 0) {
    const rules = gen2 ? (doc as Gen2Doc).config.rules : (doc as Gen1Doc).rules;
    const base = gen2 ? '/config/rules' : '/rules';
    for (const list of ['allowlist', 'denylist'] as const) {
      rules?.[list]?.forEach((term, i) => {
        if (termTokenCount(term) === 0) issues.push({ path: `${base}/${list}/${i}`, message: 'the term is empty once normalised (whitespace or invisible characters only)' });
      });
    }
  }
  if (issues.length > 0) throw new PolicyValidationError(dedupe(issues));
  return gen2 ? fromGen2(doc as Gen2Doc) : fromGen1(doc);
}

function issueOf(e: ErrorObject): PolicyIssue {
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'unknown field' };
    case 'required':
      return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'required' };
    case 'maxItems':
      return { path: e.instancePath, message: `too many items; the limit is ${String(e.params.limit)}` };
    case 'maxLength':
      return { path: e.instancePath, message: `longer than ${String(e.params.limit)} characters` };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path: e.instancePath, message: e.message ?? 'invalid' };
  }
}

/** `anyOf` reports each branch's failure and then its own; one line per path is enough. */
function dedupe(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Map<string, PolicyIssue>();
  for (const i of issues) if (!seen.has(i.path) || i.message.startsWith('must match')) seen.set(i.path, i);
  return [...seen.values()];
}

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

function fromGen1(doc: Gen1Doc): PolicyModel {
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

function fromGen2(doc: Gen2Doc): PolicyModel {
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
