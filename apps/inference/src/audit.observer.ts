import { Injectable } from '@nestjs/common';
import { AuditProducer, chainOrg, ContentHmacKeys, ContentVault, requestEventId, type AuditRecordContent } from '@gw/audit';
import type { ContentDigest, InferenceContext, InferenceObserver, InferenceSummary } from '@gw/inference';
import { RetainingDigest } from './retaining-digest';

/** The project of a call: the key's binding, else the project the policy stage resolved (`attributes.policy`). */
function projectOf(s: InferenceSummary): string | null {
  if (s.payer?.projectId) return s.payer.projectId;
  const policy = s.attributes?.policy as { project_id?: unknown } | undefined;
  return typeof policy?.project_id === 'string' ? policy.project_id : null;
}

/** Turns each request's summary into one audit record (version 2, `enforcement`) on the queue; never blocks. */
@Injectable()
export class AuditObserver implements InferenceObserver {
  constructor(
    protected readonly producer: AuditProducer,
    private readonly hmac: ContentHmacKeys,
    private readonly vault: ContentVault,
  ) {}

  /**
   * `prompt_hmac` / `output_hmac` under the organisation's key (none for the anonymous free tier); the texts too when
   * the request's policy retains content.
   */
  digestFor(ctx: InferenceContext): ContentDigest | undefined {
    const org = ctx.payer?.orgId;
    if (!org) return undefined;
    const digest = this.hmac.digest(org);
    return ctx.retainContent ? new RetainingDigest(digest, ctx.retainContent.days) : digest;
  }

  /** The summary's retained texts, sealed here so no queue or Redis payload ever holds them in clear. */
  private content(s: InferenceSummary): AuditRecordContent | undefined {
    const org = s.payer?.orgId;
    if (!s.content || !org) return undefined;
    return this.vault.seal(chainOrg(org), requestEventId(s.requestId), s.content, new Date(s.finishedAtMs), s.content.days);
  }

  onFinished(s: InferenceSummary): void {
    const p = s.payer;
    const content = this.content(s);
    this.producer.record({
      v: 2,
      // A request refused for its credentials is an `auth` event (of no organisation when the key was unknown).
      eventType: s.httpStatus === 401 ? 'auth' : 'enforcement',
      orgId: p?.orgId ?? null,
      projectId: projectOf(s),
      principal: { kind: p?.kind ?? 'anonymous', keyId: p?.apiKeyId ?? null, userId: p?.userId ?? null },
      requestId: s.requestId,
      surface: s.surface,
      model: s.model,
      provider: s.provider,
      upstreamModel: s.upstreamModel,
      stream: s.stream,
      status: s.status,
      httpStatus: s.httpStatus,
      errorCode: s.errorCode,
      finishReason: s.finishReason,
      inputTokens: s.usage.inputTokens,
      outputTokens: s.usage.outputTokens,
      startedAt: new Date(s.startedAtMs).toISOString(),
      finishedAt: new Date(s.finishedAtMs).toISOString(),
      latencyMs: s.latencyMs,
      ttftMs: s.ttftMs,
      ...(s.attributes ? { attributes: s.attributes } : {}),
      ...(content ? { content } : {}),
    });
  }
}
