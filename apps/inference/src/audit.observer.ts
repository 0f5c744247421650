import { Injectable } from '@nestjs/common';
import { AuditProducer } from '@gw/audit';
import type { InferenceObserver, InferenceSummary } from '@gw/inference';

/** Turns each request's summary into one audit record on the queue (never blocks the request). */
@Injectable()
export class AuditObserver implements InferenceObserver {
  constructor(private readonly producer: AuditProducer) {}

  onFinished(s: InferenceSummary): void {
    this.producer.record({
      v: 1,
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
