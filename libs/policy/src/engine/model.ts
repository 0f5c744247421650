import type { Category, Decision, PiiType, RolloutMode } from './types';

/** What a denylist or category hit makes the policy do (Gen 2 `enforcement_action`, normalised). */
export type PolicyAction = 'refuse' | 'rewrite' | 'summary' | 'escalate';

export interface QuotaSpec {
  requests: number;
  tokens: number;
  window: 'daily' | 'weekly' | 'monthly';
}

export interface AutoRollbackSpec {
  enabled: boolean;
  /** Share (0..1) of `decisions` among the window's requests that triggers a rollback. */
  threshold: number;
  minRequests: number;
  windowMinutes: number;
  cooldownMinutes: number;
  decisions: Decision[];
}

/**
 * The one internal policy model both schema generations normalise to (spec §4.1.3). Everything downstream
 * (compilation, evaluation, the `policy` object, audit) reads only this.
 */
export interface PolicyModel {
  generation: 1 | 2;
  /** The document's own id (Gen 1 `policy_id`), or its name; stored policies are identified by their store id instead. */
  policyId: string | null;
  name: string | null;
  description: string | null;
  owner: string | null;
  classification: string | null;
  allowlist: string[];
  denylist: string[];
  /** Categories a classifier must flag (spec names), and `pii/*` categories served by the detectors. */
  categories: Category[];
  piiCategories: PiiType[];
  /** Redact PII (typed placeholders) in the input before the upstream call and in the output. */
  redact: boolean;
  /** Detectors redaction runs (default: all). */
  piiTypes: PiiType[];
  action: PolicyAction;
  escalationPath: string | null;
  /** Reason code per decision (defaults `ALLOW`, `REWRITE`, … overridden by the policy's `reason_codes`). */
  reasonCodes: Record<Decision, string>;
  /** Which configured classifier judges categories (`builtin` unless the policy names another). */
  classifier: string | null;
  /** When the classifier cannot answer: false (default) refuses an enforced request; true lets it through. Both are recorded. */
  classifierFailOpen: boolean;
  rewriteInstruction: string | null;
  summaryInstruction: string | null;
  rollout: {
    mode: Exclude<RolloutMode, 'rollback'>;
    /** Canary share 0..100 (100 when enforced, 0 in shadow). */
    percentage: number;
    /** Gen 1: shadow/canary apply only to these `policy_target` labels (empty: all). */
    targets: string[];
    autoRollback: AutoRollbackSpec | null;
  };
  orgControls: {
    projectKeys: boolean;
    userQuotas: boolean;
    auditLogs: boolean;
    userQuota: QuotaSpec | null;
    projectQuota: QuotaSpec | null;
  };
  /**
   * `audit.retain_content`: the request's prompt and output text are kept, encrypted, in `audit_content`;
   * `audit.content_retention_days`: how long (null: the gateway's AUDIT_CONTENT_RETENTION_DAYS).
   */
  audit: { retainContent: boolean; contentRetentionDays: number | null };
}

export const DEFAULT_REASON_CODES: Readonly<Record<Decision, string>> = {
  allow: 'ALLOW',
  rewrite: 'REWRITE',
  summary: 'SUMMARY',
  escalate: 'ESCALATE',
  refuse: 'REFUSE',
  redact: 'REDACT',
};
