import { SpanKind, SpanStatusCode, trace, type Context, type Span, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import type { InferenceSummary, RequestTrace, TraceStage } from '@gw/inference';

const setter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };

/**
 * One request's span and its children (admission, policy pre-check, upstream call, output check). Attributes follow
 * the OpenTelemetry GenAI semantic conventions (`gen_ai.*`: operation, models, token usage, finish reason) and HTTP's;
 * never a prompt, an output, a key or a user id. The context is carried explicitly (no async-hooks context manager):
 * the spans are this request's only.
 */
export class OtelRequestTrace implements RequestTrace {
  private readonly span: Span;
  private readonly context: Context;
  private upstream: Span | undefined;
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    private readonly propagator: TextMapPropagator,
    parent: Context,
    private readonly requestId: string,
    attributes: Record<string, string>,
  ) {
    this.span = tracer.startSpan(`gateway ${attributes['gateway.surface']}`, { kind: SpanKind.SERVER, attributes }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  stage(name: TraceStage): (error?: unknown) => void {
    const kind = name === 'gateway.upstream' ? SpanKind.CLIENT : SpanKind.INTERNAL;
    const span = this.tracer.startSpan(name, { kind }, this.context);
    if (name === 'gateway.upstream') this.upstream = span;
    return (error?: unknown) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      span.end();
      if (this.upstream === span) this.upstream = undefined;
    };
  }

  upstreamHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    this.propagator.inject(this.upstream ? trace.setSpan(this.context, this.upstream) : this.context, headers, setter);
    return headers;
  }

  finish(s: InferenceSummary): void {
    // A summarised answer runs two model calls (`<id>.answer`, then the summary): the request ends with the last.
    if (this.ended || s.requestId !== this.requestId) return;
    this.ended = true;
    const span = this.span;
    span.updateName(`${s.stream ? 'chat stream' : 'chat'} ${s.model || 'unknown'}`);
    span.setAttributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': s.model,
      'gen_ai.response.model': s.upstreamModel,
      'gen_ai.provider.name': s.provider,
      'gen_ai.usage.input_tokens': s.usage.inputTokens,
      'gen_ai.usage.output_tokens': s.usage.outputTokens,
      'http.response.status_code': s.httpStatus,
      'gateway.outcome': s.status,
    });
    if (s.finishReason) span.setAttribute('gen_ai.response.finish_reasons', [s.finishReason]);
    if (s.ttftMs !== null) span.setAttribute('gateway.ttft_ms', s.ttftMs);
    if (s.status === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: s.errorKind ?? 'error' });
    if (s.errorCode) span.setAttribute('error.type', s.errorKind ?? s.errorCode);
    span.end();
  }
}

/** A short error description for a span status: the error's class and code, never its message (it may quote input). */
function messageOf(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null;
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'error';
}
