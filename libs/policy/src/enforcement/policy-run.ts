import type { CanonicalRequest } from '@gw/inference';
import {
  evaluate,
  normalizeText,
  stronger,
  type CategoryVerdict,
  type CompiledPolicy,
  type Evaluation,
  type Finding,
  type PolicyVerdict,
  type TextSegment,
} from '../engine';
import { canonicalSegments, withInstruction, withSegmentTexts } from './canonical-text';
import type { PolicyRunOptions } from './policy-run-options';

export type { PolicyRunOptions, PolicySubject } from './policy-run-options';

const DEFAULT_REWRITE =
  "This request touches content restricted by the organisation's usage policy. Answer helpfully and safely, without producing the restricted content and without repeating restricted terms; where you cannot help, say so briefly.";

/**
 * One request's policy state: the pre-check's verdict, the request as the model will see it (redacted,
 * rewritten), and the output checks that follow. Plain object, no Nest: the inference app drives it.
 */
export class PolicyRun {
  private objectJson: string | null = null;

  private constructor(
    readonly opts: PolicyRunOptions,
    readonly evaluation: Evaluation,
    /** The canonical request to send (redacted and/or rewritten when enforced); null for a simulation. */
    readonly request: CanonicalRequest | null,
  ) {}

  /** Runs the pre-check on a canonical request; the run's `request` is what the model will be sent. */
  static async start(opts: PolicyRunOptions, canonical: CanonicalRequest): Promise<PolicyRun> {
    const segments = canonicalSegments(canonical).map((s) => ({ ...s, role: canonical.messages[s.messageIndex].role }));
    const evaluation = await PolicyRun.evaluateSegments(opts, segments, false);
    let request = withSegmentTexts(canonical, segments, evaluation.redacted);
    if (evaluation.verdict.effective_decision === 'rewrite') request = withInstruction(request, opts.policy.model.rewriteInstruction ?? DEFAULT_REWRITE);
    return new PolicyRun(opts, evaluation, request);
  }

  /** The same pre-check over texts of any shape (simulation); redaction is shown even where it would not be enforced. */
  static async simulate(opts: PolicyRunOptions, segments: ReadonlyArray<TextSegment & { role: string }>): Promise<PolicyRun> {
    return new PolicyRun(opts, await PolicyRun.evaluateSegments(opts, segments, true), null);
  }

  /** Classifier first (I/O; a failure is recorded, never thrown), then the pure evaluation. */
  private static async evaluateSegments(opts: PolicyRunOptions, raw: ReadonlyArray<TextSegment & { role: string }>, redactAlways: boolean): Promise<Evaluation> {
    // Normalised once: the classifier and the matchers read the same text.
    const segments = raw.map((s) => ({ ...s, normalized: s.normalized ?? normalizeText(s.text) }));
    let verdicts: CategoryVerdict[][] | 'unavailable' | undefined;
    if (opts.policy.needsClassifier && opts.classifier) {
      // Categories judge what the caller sent (user turns, tool results), not the organisation's own instructions.
      const judged = segments.map((s, i) => ({ s, i })).filter((j) => j.s.role === 'user' || j.s.role === 'tool');
      try {
        const answers = judged.length > 0 ? await opts.classifier.classify(judged.map((j) => j.s.normalized.text), opts.signal) : [];
        const all: CategoryVerdict[][] = segments.map(() => []);
        judged.forEach((j, k) => (all[j.i] = answers[k] ?? []));
        verdicts = all;
      } catch {
        verdicts = 'unavailable';
      }
    }
    return evaluate(opts.policy, {
      segments,
      subject: { quotaSubject: opts.subject.quotaSubject, target: opts.subject.target },
      rollout: opts.rollout,
      verdicts,
      classifierId: opts.classifier?.id,
      redactAlways,
    });
  }

  get verdict(): PolicyVerdict {
    return this.evaluation.verdict;
  }

  get policy(): CompiledPolicy {
    return this.opts.policy;
  }

  /** What happens next: refuse (403), escalate (holding answer), summary (two calls), or call the model. */
  get outcome(): 'refuse' | 'escalate' | 'summary' | 'proceed' {
    const d = this.verdict.effective_decision;
    return d === 'refuse' || d === 'escalate' || d === 'summary' ? d : 'proceed';
  }

  /**
   * Records what the output checks found. A denied term or flagged category in the output makes the raw decision
   * `refuse` (the output was, or in shadow would have been, cut); the effective one only when it was acted on.
   */
  recordOutput(out: { findings: readonly Finding[]; denyHits: Iterable<string>; triggered: Iterable<string>; stopped: boolean }): void {
    const v = this.evaluation.verdict;
    v.findings.push(...out.findings);
    const deny = new Set([...v.denylist_hits, ...out.denyHits]);
    const cats = new Set([...v.triggered_categories, ...out.triggered]);
    const hit = deny.size > v.denylist_hits.length || cats.size > v.triggered_categories.length;
    v.denylist_hits = [...deny];
    v.triggered_categories = [...cats];
    if (hit || out.stopped) {
      v.decision = stronger(v.decision, 'refuse');
      if (out.stopped) v.effective_decision = stronger(v.effective_decision, 'refuse');
      v.reason_code = this.policy.model.reasonCodes[v.decision];
    }
    v.redaction_counts = { ...this.evaluation.redactor.counts };
    this.objectJson = null;
  }

  /**
   * A refusal decided outside the rules (a user or project quota is used up): enforced whatever the rollout mode,
   * because a quota is a budget, not a rule being tried out. `reasonCode` e.g. `USER_QUOTA_EXCEEDED`.
   */
  refuseFor(reasonCode: string): void {
    const v = this.evaluation.verdict;
    v.decision = 'refuse';
    v.effective_decision = 'refuse';
    v.enforced = true;
    v.reason_code = reasonCode;
    this.objectJson = null;
  }

  /** The `policy` object of spec §4.7 (plus version, subject and classifier outcome). */
  policyObject(): Record<string, unknown> {
    const o = this.decisionFields();
    const c = this.verdict.classifier;
    if (c.status === 'unavailable') o.classifier = { id: c.id, status: 'unavailable', failed_open: c.failedOpen === true };
    return o;
  }

  /** `,"policy":{…}` ready to splice into a JSON frame; rebuilt only when the decision changes. */
  policyJson(): string {
    return (this.objectJson ??= JSON.stringify(this.policyObject()));
  }

  /**
   * The audit record's policy fields: decisions, hit terms, counts, the classifier's full outcome, and the project's
   * name when there is one. Never the matched user text.
   */
  auditFields(projectLabel?: string): Record<string, unknown> {
    const v = this.verdict;
    const o = this.decisionFields();
    o.redaction_counts = v.redaction_counts;
    o.classifier = v.classifier;
    o.generation = this.policy.model.generation;
    if (projectLabel !== undefined) o.project_label = projectLabel;
    return { policy: o };
  }

  /** What both the `policy` object and the audit block start with; built as one literal (no spreads: once per call). */
  private decisionFields(): Record<string, unknown> {
    const v = this.verdict;
    const s = this.opts.subject;
    return {
      policy_id: this.policy.policyId,
      policy_version: this.policy.version,
      decision: v.decision,
      effective_decision: v.effective_decision,
      reason_code: v.reason_code,
      triggered_categories: v.triggered_categories,
      allowlist_hits: v.allowlist_hits,
      denylist_hits: v.denylist_hits,
      rollout_mode: v.rollout_mode,
      enforced: v.enforced,
      policy_target: s.target,
      policy_user: s.policyUser,
      quota_subject: s.quotaSubject,
      project_id: s.projectId,
    };
  }

  summaryInstruction(): string {
    return (
      this.policy.model.summaryInstruction ??
      "Summarise the following answer in at most five sentences for the requester. Leave out anything the organisation's usage policy restricts; do not add new information."
    );
  }
}
