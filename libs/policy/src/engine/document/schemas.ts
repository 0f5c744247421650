import { CATEGORIES, PII_CATEGORIES, PII_TYPES } from '../types';

/** Limits of a policy document (issue 9): past them, a 400 naming the limit. */
export const POLICY_LIMITS = {
  termsPerList: 10_000,
  termChars: 256,
  documentBytes: 1 << 20,
  textChars: 4_096,
  labelChars: 256,
  targets: 1_000,
} as const;

const str = (max: number = POLICY_LIMITS.labelChars) => ({ type: 'string', maxLength: max });
const nullableStr = (max: number = POLICY_LIMITS.labelChars) => ({ type: ['string', 'null'], maxLength: max });
const bool = { type: 'boolean' };
const terms = { type: 'array', maxItems: POLICY_LIMITS.termsPerList, items: { type: 'string', maxLength: POLICY_LIMITS.termChars } };
const labels = { type: 'array', maxItems: POLICY_LIMITS.targets, items: str() };
export const CATEGORY_NAMES = [...CATEGORIES, ...Object.keys(PII_CATEGORIES)];
const categories = { type: 'array', maxItems: 64, items: { enum: CATEGORY_NAMES } };
const decisions = { type: 'array', maxItems: 6, items: { enum: ['allow', 'rewrite', 'summary', 'escalate', 'refuse', 'redact'] } };
const reasonCode = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$' };
/** A list of codes (each starting with the decision's default code, e.g. `REFUSE_COMPLIANCE`) or a map decision → code. */
const reasonCodes = {
  anyOf: [
    { type: 'array', maxItems: 32, items: reasonCode },
    { type: 'object', additionalProperties: false, properties: Object.fromEntries(['allow', 'rewrite', 'summary', 'escalate', 'refuse', 'redact'].map((d) => [d, reasonCode])) },
  ],
};
const percent = { type: 'number', minimum: 0, maximum: 100 };
const minutes = { type: 'integer', minimum: 1, maximum: 525_600 };
const quota = {
  type: 'object',
  additionalProperties: false,
  properties: { requests: { type: 'integer', minimum: 0, maximum: 1e12 }, tokens: { type: 'integer', minimum: 0, maximum: 1e15 }, window: { enum: ['daily', 'weekly', 'monthly'] } },
};

/** Extensions both generations accept in `rules` (documented in docs/architecture.md "Policy documents"). */
const ruleExtensions = {
  reason_codes: reasonCodes,
  pii_types: { type: 'array', maxItems: PII_TYPES.length, items: { enum: [...PII_TYPES] } },
  classifier: { type: ['string', 'null'], pattern: '^[a-z][a-z0-9_-]{0,63}$' },
  classifier_fail_open: bool,
  rewrite_instruction: nullableStr(POLICY_LIMITS.textChars),
  summary_instruction: nullableStr(POLICY_LIMITS.textChars),
};

const audit = { type: 'object', additionalProperties: false, properties: { retain_content: bool, content_retention_days: { type: 'integer', minimum: 1, maximum: 3650 } } };

/** Generation 1 `PolicyConfig` (spec §4.1.1). Unknown fields are refused: a misspelt rule must not be silently ignored. */
export const GEN1_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    policy_id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$' },
    name: str(),
    owner: str(),
    description: str(POLICY_LIMITS.textChars),
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowlist: terms,
        denylist: terms,
        redact: bool,
        rewrite_instead_of_refuse: bool,
        response_pattern: { enum: ['rewrite', 'summary', 'summarize', 'refuse', 'block', 'escalate'] },
        flagged_categories: categories,
        ...ruleExtensions,
      },
    },
    org_controls: {
      type: 'object',
      additionalProperties: false,
      properties: {
        project_keys: bool,
        user_quotas: bool,
        audit_logs: bool,
        data_classification: str(),
        user_quota: quota,
        project_quota: quota,
      },
    },
    rollout: {
      type: 'object',
      additionalProperties: false,
      properties: {
        shadow: { type: 'object', additionalProperties: false, properties: { enabled: bool, sample_percent: percent, targets: labels } },
        canary: { type: 'object', additionalProperties: false, properties: { enabled: bool, sample_percent: percent, targets: labels } },
        rollback_on_spike: bool,
        rollback_threshold: { type: 'number', minimum: 0, maximum: 1 },
        rollback_min_requests: { type: 'integer', minimum: 1, maximum: 1e9 },
        rollback_window_minutes: minutes,
        rollback_cooldown_minutes: minutes,
        rollback_decisions: decisions,
      },
    },
    refusal_replacement: {
      type: 'object',
      additionalProperties: false,
      properties: { mode: { enum: ['rewrite', 'summary', 'summarize', 'refuse', 'block', 'escalate'] }, escalation_path: str(2048) },
    },
    audit,
  },
};

/** Generation 2 `Policy` (spec §4.1.2). */
export const GEN2_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['config'],
  properties: {
    policy_id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$' },
    name: str(),
    description: str(POLICY_LIMITS.textChars),
    classification: str(),
    config: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rules: {
          type: 'object',
          additionalProperties: false,
          properties: {
            allowlist: terms,
            denylist: terms,
            flagged_categories: categories,
            enforcement_action: { enum: ['rewrite', 'block', 'summarize', 'escalate', 'refuse', 'summary'] },
            escalation_path: nullableStr(2048),
            redact_pii: bool,
            ...ruleExtensions,
          },
        },
        deployment: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enabled: bool,
            percentage: percent,
            auto_rollback: {
              type: 'object',
              additionalProperties: false,
              properties: {
                enabled: bool,
                threshold_pct: percent,
                min_requests: { type: 'integer', minimum: 1, maximum: 1e9 },
                window_minutes: minutes,
                cooldown_minutes: minutes,
                rollback_decisions: decisions,
              },
            },
          },
        },
      },
    },
    audit,
  },
};
