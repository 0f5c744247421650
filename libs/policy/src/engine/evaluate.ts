import type { CompiledPolicy } from './compile';
import { reachesModel, stronger, type Finding, type PolicyVerdict, type ClassifierOutcome } from './decision';
import { normalizeText, toOriginalSpan, type NormalizedText } from './normalize';
import { Redactor, applyRedactions } from './redactor';
import { rollout, type RolloutOverrideState } from './rollout';
import { scanText } from './scan-text';
import { PII_CATEGORIES, type CategoryVerdict, type Decision } from './types';

export { rollout, canaryBucket } from './rollout';

/** One text the model would read, located in the request. */
export interface TextSegment {
  text: string;
  /** `normalizeText(text)`, when the caller already has it (it normalised the text for its classifier). */
  normalized?: NormalizedText;
  /** Index of the message (in whatever message list the caller uses) the text belongs to. */
  messageIndex: number;
}

export interface Subject {
  /** Quota subject / canary stickiness: `X-Policy-User`, else the caller's user or key id. */
  quotaSubject: string | null;
  /** The caller's `policy_target` label. */
  target: string | null;
}

export interface EvaluationInput {
  segments: readonly TextSegment[];
  subject: Subject;
  /** One verdict list per segment from the policy's classifier; `unavailable` when it could not answer; absent when not needed. */
  verdicts?: CategoryVerdict[][] | 'unavailable';
  classifierId?: string;
  /** The request's redactor (shared with the output scan, so numbering continues); a new one by default. */
  redactor?: Redactor;
  /** Simulation: show the redaction the policy makes even where this request would not be enforced or reach the model. */
  redactAlways?: boolean;
  /** The stored policy's rollout state (`rollback`: every check runs, nothing is enforced); none by default. */
  rollout?: RolloutOverrideState;
}

export interface Evaluation {
  verdict: PolicyVerdict;
  /** Segment texts with PII replaced (only when redaction is on and the decision is enforced); `null` = unchanged. */
  redacted: Array<string | null>;
  redactor: Redactor;
}

/**
 * The pre-check (spec §4.2 order): allowlist, denylist, categories, then PII. Pure and synchronous: the
 * caller runs the classifier first (it is I/O) and passes its verdicts.
 */
export function evaluate(policy: CompiledPolicy, input: EvaluationInput): Evaluation {
  const m = policy.model;
  const findings: Finding[] = [];
  const allowHits = new Set<string>();
  const denyHits = new Set<string>();
  const triggered = new Set<string>();
  const norms = input.segments.map((seg) => seg.normalized ?? normalizeText(seg.text));
  const scans = norms.map((n) => scanText(policy, n));
  scans.forEach((s, i) => {
    const message_index = input.segments[i].messageIndex;
    for (const h of s.allow) {
      allowHits.add(h.term);
      findings.push({ kind: 'allowlist', type: h.term, where: 'input', message_index, start: h.start, end: h.end });
    }
    for (const h of s.deny) {
      denyHits.add(h.term);
      findings.push({ kind: 'denylist', type: h.term, where: 'input', message_index, start: h.start, end: h.end });
    }
    for (const p of s.pii) {
      findings.push({ kind: 'pii', type: p.type, where: 'input', message_index, start: p.start, end: p.end });
      const cat = m.piiCategories.includes(p.type) ? piiCategoryName(p.type) : null;
      if (cat) triggered.add(cat);
    }
  });

  let decision: Decision = 'allow';
  if (policy.allow && allowHits.size === 0) decision = 'refuse';
  if (denyHits.size > 0) decision = stronger(decision, m.action);

  const classifier = categoryOutcome(policy, input, norms, findings, triggered);
  if (triggered.size > 0) decision = stronger(decision, m.action);
  if (classifier.status === 'unavailable' && !classifier.failedOpen) decision = stronger(decision, 'refuse');

  const redactor = input.redactor ?? new Redactor();
  const hasPii = m.redact && scans.some((s) => s.pii.some((p) => m.piiTypes.includes(p.type)));
  if (decision === 'allow' && hasPii) decision = 'redact';

  const { mode, enforced } = rollout(policy, input.subject, input.rollout);
  const effective: Decision = enforced ? decision : 'allow';
  const redacted = scans.map((s, i) => {
    if (!m.redact || (!input.redactAlways && (!enforced || !reachesModel(decision)))) return null;
    const spans = s.pii.filter((p) => m.piiTypes.includes(p.type));
    if (spans.length === 0) return null;
    const text = input.segments[i].text;
    return applyRedactions(text, spans.map((p) => ({ ...p, placeholder: redactor.placeholder(p.type, text.slice(p.start, p.end)) })));
  });
  return {
    verdict: {
      decision,
      effective_decision: effective,
      enforced,
      reason_code: m.reasonCodes[decision],
      triggered_categories: [...triggered],
      allowlist_hits: [...allowHits],
      denylist_hits: [...denyHits],
      rollout_mode: mode,
      findings,
      redaction_counts: { ...redactor.counts },
      classifier,
    },
    redacted,
    redactor,
  };
}

/** Folds classifier verdicts into findings and triggered categories (only the categories the policy flags). */
function categoryOutcome(policy: CompiledPolicy, input: EvaluationInput, norms: NormalizedText[], findings: Finding[], triggered: Set<string>): ClassifierOutcome {
  const id = input.classifierId ?? policy.model.classifier ?? 'builtin';
  if (!policy.needsClassifier) return { id, status: 'not_needed' };
  if (input.verdicts === undefined) return { id, status: 'not_needed' };
  if (input.verdicts === 'unavailable') return { id, status: 'unavailable', failedOpen: policy.model.classifierFailOpen };
  const wanted = new Set<string>(policy.model.categories);
  input.verdicts.forEach((list, i) => {
    const seg = input.segments[i];
    for (const v of list) {
      if (!v.flagged || !wanted.has(v.category)) continue;
      triggered.add(v.category);
      // Classifiers read the normalised text: their spans are mapped back to the caller's.
      const norm = v.spans?.length && seg ? norms[i] : null;
      const spans = norm ? v.spans!.map((s) => toOriginalSpan(norm, s.start, Math.max(s.end, s.start + 1))) : [{ start: 0, end: seg?.text.length ?? 0 }];
      for (const s of spans) findings.push({ kind: 'category', type: v.category, where: 'input', message_index: seg?.messageIndex ?? i, start: s.start, end: s.end });
    }
  });
  return { id, status: 'ok' };
}

function piiCategoryName(type: string): string | null {
  return Object.entries(PII_CATEGORIES).find(([, t]) => t === type)?.[0] ?? null;
}
