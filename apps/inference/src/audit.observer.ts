import { Injectable } from '@nestjs/common';
import { AuditProducer, ContentHmacKeys } from '@gw/audit';
import type { ContentDigest, InferenceContext, InferenceObserver, InferenceSummary } from '@gw/inference';

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
    private readonly producer: AuditProducer,
    private readonly hmac: ContentHmacKeys,
  ) {}

  /** `prompt_hmac` / `output_hmac` under the organisation's key (none for the anonymous free tier). */
  digestFor(ctx: InferenceContext): ContentDigest | undefined {
    const org = ctx.payer?.orgId;
    return org ? this.hmac.digest(org) : undefined;
  }

  onFinished(s: InferenceSummary): void {
    const p = s.payer;
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
    });
  }
}
