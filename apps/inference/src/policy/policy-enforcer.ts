import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { GatewayError, GatewayErrorCode, type CanonicalRequest, type InferenceContext } from '@gw/inference';
import { PolicyRun, type CompiledPolicy } from '@gw/policy';
import { ClassifierRegistry, RolloutMonitor } from '@gw/policy';
import { GatewayMetrics } from '@gw/observability';
import type { ResolvedPolicy } from './policy-resolver';
import { timedClassifier } from './timed-classifier';

/** What the protocol handler does after the pre-check. */
export type PreCheck =
  | { kind: 'proceed'; run: PolicyRun | null; request: CanonicalRequest }
  | { kind: 'summary'; run: PolicyRun; request: CanonicalRequest }
  | { kind: 'escalate'; run: PolicyRun; referenceId: string; message: string };

/**
 * Runs a resolved policy's pre-check on the canonical request and turns the verdict into what happens next:
 * a 403 (refuse, or a flagged category on `/v1`), a holding answer (escalate), a summarised answer, or the
 * model call with the request as the policy rewrote or redacted it. Records the decision for the audit record.
 */
@Injectable()
export class PolicyEnforcer {
  private readonly holdChars: number;

  constructor(
    private readonly classifiers: ClassifierRegistry,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Optional() private readonly rollouts: RolloutMonitor | null,
    private readonly metrics: GatewayMetrics,
  ) {
    this.holdChars = config.env.POLICY_STREAM_HOLD_CHARS;
  }

  async pre(res: ResolvedPolicy, ctx: InferenceContext, canonical: CanonicalRequest): Promise<PreCheck> {
    if (res.flagged) await this.checkFlagged(res, ctx, canonical);
    if (!res.policy) return { kind: 'proceed', run: null, request: canonical };
    // Before the pre-check, so a refused request's prompt is retained too (its audit record is written on the throw).
    const audit = res.policy.model.audit;
    if (audit.retainContent) ctx.retainContent = { days: audit.contentRetentionDays };
    const run = await PolicyRun.start({ ...this.options(res.policy, res, ctx), rollout: res.rollout ?? undefined }, canonical);
    // Auto-rollback counts the rules' own decisions (not quota refusals, not output cuts); off the request path.
    if (res.rollout) this.rollouts?.record(run.policy, res.rollout, run.verdict.decision);
    if (this.metrics.enabled) {
      const v = run.verdict;
      this.metrics.policyDecisions.inc({ decision: v.decision, reason: this.metrics.reason(v.reason_code), enforced: String(v.enforced) });
    }
    const showPolicy = res.surface === 'policy';
    const fields = () => auditFields(run, res);
    ctx.annotations = fields;
    switch (run.outcome) {
      case 'refuse':
        throw new GatewayError(GatewayErrorCode.PermissionDenied, refusalMessage(run), {
          wireCode: 'policy_refused',
          wireType: 'policy_violation',
          extra: showPolicy ? { policy: run.policyObject() } : undefined,
        });
      case 'escalate': {
        const referenceId = `esc_${randomUUID().replace(/-/g, '')}`;
        ctx.annotations = () => ({ ...fields(), escalation: { reference_id: referenceId, escalation_path: run.policy.model.escalationPath } });
        return { kind: 'escalate', run, referenceId, message: holdingMessage(referenceId) };
      }
      case 'summary':
        if (res.quota) ctx.quota = res.quota;
        return { kind: 'summary', run, request: run.request ?? canonical };
      case 'proceed':
        if (res.quota) ctx.quota = res.quota;
        return { kind: 'proceed', run, request: run.request ?? canonical };
    }
  }

  /** `/v1` `flagged_categories`: the named categories (plus the always-blocked ones) in the input are a 403 `content_flagged`. */
  private async checkFlagged(res: ResolvedPolicy, ctx: InferenceContext, canonical: CanonicalRequest): Promise<void> {
    const run = await PolicyRun.start(this.options(res.flagged!, res, ctx, 'builtin'), canonical);
    const cats = run.verdict.triggered_categories;
    if (cats.length === 0 && run.verdict.classifier.status !== 'unavailable') return;
    ctx.annotations = () => ({ flagged_categories: { triggered: cats, classifier: run.verdict.classifier } });
    const message = cats.length > 0 ? `The request was flagged for: ${cats.join(', ')}.` : 'The content classifier is unavailable; flagged categories cannot be checked.';
    throw new GatewayError(cats.length > 0 ? GatewayErrorCode.PermissionDenied : GatewayErrorCode.UpstreamOverloaded, message, {
      wireCode: cats.length > 0 ? 'content_flagged' : 'classifier_unavailable',
      status: cats.length > 0 ? 403 : 503,
      extra: cats.length > 0 ? { flagged_categories: cats } : undefined,
    });
  }

  private options(policy: CompiledPolicy, res: ResolvedPolicy, ctx: InferenceContext, classifier?: string) {
    return {
      policy,
      subject: res.subject,
      classifier: policy.needsClassifier ? timedClassifier(this.classifiers.get(classifier ?? policy.model.classifier), this.metrics) : null,
      streamClassify: this.classifiers.streamClassify,
      holdChars: this.holdChars,
      signal: ctx.signal,
    };
  }
}

/** The audit record's policy block, with the project's name (the organisation is the event's own column). */
function auditFields(run: PolicyRun, res: ResolvedPolicy): Record<string, unknown> {
  return run.auditFields(res.project?.name);
}

function refusalMessage(run: PolicyRun): string {
  const v = run.verdict;
  const why = [
    v.denylist_hits.length ? `denied terms (${v.denylist_hits.length})` : '',
    v.triggered_categories.length ? `categories: ${v.triggered_categories.join(', ')}` : '',
    run.policy.allow && v.allowlist_hits.length === 0 ? 'no allowed topic' : '',
    v.classifier.status === 'unavailable' ? 'content classifier unavailable' : '',
  ].filter(Boolean);
  return `The request was refused by policy '${run.policy.policyId}' (${v.reason_code}${why.length ? `: ${why.join('; ')}` : ''}).`;
}

function holdingMessage(referenceId: string): string {
  return `Your request needs review under your organisation's usage policy and has been escalated. Reference: ${referenceId}. You will be contacted once it has been reviewed.`;
}
