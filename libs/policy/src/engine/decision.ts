import type { PiiType, Decision, RolloutMode } from './types';

/** One thing a scan found. Offsets are UTF-16, into the original text of that message (or of the output). */
export interface Finding {
  kind: 'pii' | 'denylist' | 'allowlist' | 'category';
  /** PII type, the policy's own term, or the category name. */
  type: string;
  where: 'input' | 'output';
  message_index: number;
  start: number;
  end: number;
}

/** How the category classifier fared for this request (recorded in the `policy` object and the audit record). */
export interface ClassifierOutcome {
  id: string;
  status: 'ok' | 'unavailable' | 'not_needed';
  /** When unavailable: whether the policy let the request through (fail-open) or refused it (fail-closed). */
  failedOpen?: boolean;
}

/** The decision fields of spec §4.4/§4.7, plus what the gateway needs to act on them. */
export interface PolicyVerdict {
  decision: Decision;
  effective_decision: Decision;
  enforced: boolean;
  reason_code: string;
  triggered_categories: string[];
  allowlist_hits: string[];
  denylist_hits: string[];
  rollout_mode: RolloutMode;
  findings: Finding[];
  redaction_counts: Partial<Record<PiiType, number>>;
  classifier: ClassifierOutcome;
}

/** Strongest first: when several rules fire, the strongest decision wins. */
const RANK: Record<Decision, number> = { refuse: 5, escalate: 4, summary: 3, rewrite: 2, redact: 1, allow: 0 };

export function stronger(a: Decision, b: Decision): Decision {
  return RANK[b] > RANK[a] ? b : a;
}

/** Decisions under which the request still reaches the model (with redaction applied when enforced). */
export function reachesModel(d: Decision): boolean {
  return d === 'allow' || d === 'redact' || d === 'rewrite' || d === 'summary';
}
