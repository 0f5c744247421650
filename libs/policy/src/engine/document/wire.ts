import type { PiiType, Decision } from '../types';

/** Wire shapes of the two generations, as the schemas in ./schemas admit them. */
interface QuotaWire {
  requests?: number;
  tokens?: number;
  window?: 'daily' | 'weekly' | 'monthly';
}

interface RuleExtensions {
  reason_codes?: string[] | Partial<Record<Decision, string>>;
  pii_types?: PiiType[];
  classifier?: string | null;
  classifier_fail_open?: boolean;
  rewrite_instruction?: string | null;
  summary_instruction?: string | null;
}

interface RolloutArm {
  enabled?: boolean;
  sample_percent?: number;
  targets?: string[];
}

export interface Gen1Doc {
  policy_id?: string;
  name?: string;
  owner?: string;
  description?: string;
  rules?: RuleExtensions & {
    allowlist?: string[];
    denylist?: string[];
    redact?: boolean;
    rewrite_instead_of_refuse?: boolean;
    response_pattern?: string;
    flagged_categories?: string[];
  };
  org_controls?: {
    project_keys?: boolean;
    user_quotas?: boolean;
    audit_logs?: boolean;
    data_classification?: string;
    user_quota?: QuotaWire;
    project_quota?: QuotaWire;
  };
  rollout?: {
    shadow?: RolloutArm;
    canary?: RolloutArm;
    rollback_on_spike?: boolean;
    rollback_threshold?: number;
    rollback_min_requests?: number;
    rollback_window_minutes?: number;
    rollback_cooldown_minutes?: number;
    rollback_decisions?: Decision[];
  };
  refusal_replacement?: { mode?: string; escalation_path?: string };
  audit?: AuditWire;
}

export interface Gen2Doc {
  policy_id?: string;
  name?: string;
  description?: string;
  classification?: string;
  config: {
    rules?: RuleExtensions & {
      allowlist?: string[];
      denylist?: string[];
      flagged_categories?: string[];
      enforcement_action?: string;
      escalation_path?: string | null;
      redact_pii?: boolean;
    };
    deployment?: {
      enabled?: boolean;
      percentage?: number;
      auto_rollback?: {
        enabled?: boolean;
        threshold_pct?: number;
        min_requests?: number;
        window_minutes?: number;
        cooldown_minutes?: number;
        rollback_decisions?: Decision[];
      };
    };
  };
  audit?: AuditWire;
}

/** Top-level `audit` block of both generations (issue 11). */
export interface AuditWire {
  retain_content?: boolean;
  /** 1..3650; unset: the gateway's default. */
  content_retention_days?: number;
}
