import { performance } from 'node:perf_hooks';
import type { CanonicalEvent, FinishReason, Usage } from '../canonical/canonical-event';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import type { ContentDigest, InferenceContext, InferenceObserver, InferenceSummary } from './inference-context';

/** Collects the facts of one request as events pass, and reports exactly one summary. */
export class RequestTracker {
  private usageSeen: Usage | undefined;
  private inputTokens = 0;
  private deltas = 0;
  private finishReason: FinishReason | null = null;
  private ttftMs: number | null = null;
  private upstreamModel = '';
  private upstreamAt: number | undefined;
  private upstreamEnd: number | undefined;
  private admissionAt: number | undefined;
  private admissionMs: number | null = null;
  private endUpstreamSpan: ((error?: unknown) => void) | undefined;
  private done = false;

  constructor(
    private readonly ctx: InferenceContext,
    private readonly observer: InferenceObserver | undefined,
    private readonly fields: { model: string; provider: string; upstreamModel: string; stream: boolean },
    private readonly digest?: ContentDigest,
  ) {
    this.upstreamModel = fields.upstreamModel;
  }

  see(ev: CanonicalEvent): void {
    switch (ev.type) {
      case 'message_start':
        if (ev.upstreamModel) this.upstreamModel = ev.upstreamModel;
        if (ev.inputTokens !== undefined) this.inputTokens = ev.inputTokens;
        break;
      // Reasoning is generated output like text: upstreams bill it as output tokens, and its first token is the
      // first sign of life a client sees (Claude Code shows thinking live), so it counts for TTFT and the fallback.
      case 'text_delta':
        this.digest?.output(ev.text);
        this.deltas++;
        this.ttftMs ??= performance.now() - this.ctx.startedAt;
        break;
      case 'reasoning_delta':
      case 'tool_call_delta':
        this.deltas++;
        this.ttftMs ??= performance.now() - this.ctx.startedAt;
        break;
      case 'tool_call_start':
      case 'reasoning_start':
      case 'redacted_reasoning':
        this.ttftMs ??= performance.now() - this.ctx.startedAt;
        break;
      case 'reasoning_signature':
        break;
      case 'usage':
        this.usageSeen = ev.usage;
        break;
      case 'message_stop':
        this.finishReason = ev.finishReason;
        break;
      case 'error':
      case 'metering':
        break;
    }
  }

  /** The text of a non-streamed answer (streams feed theirs delta by delta through {@link see}). */
  generated(text: string): void {
    this.digest?.output(text);
  }

  /** The request was sent upstream (again, when re-sent with another cap): the upstream's time starts now. */
  upstreamStarted(): void {
    this.upstreamAt = performance.now();
    this.upstreamEnd = undefined;
    this.endUpstreamSpan?.();
    this.endUpstreamSpan = this.ctx.trace?.stage('gateway.upstream');
  }

  /** A speculative call aborted because admission refused it: the request never counts as having reached the upstream. */
  upstreamCancelled(): void {
    this.upstreamAt = undefined;
    this.upstreamEnd = undefined;
    this.endSpan(new Error('cancelled: admission refused the call'));
  }

  /** The upstream answered in full (a JSON call); a stream's upstream time ends with the stream. */
  upstreamEnded(): void {
    this.upstreamEnd = performance.now();
    this.endSpan();
  }

  private endSpan(error?: unknown): void {
    this.endUpstreamSpan?.(error);
    this.endUpstreamSpan = undefined;
  }

  /** Admission (credits, quotas and the deferred rate limit, in flight together) was asked now. */
  admissionStarted(): void {
    this.admissionAt = performance.now();
  }

  /** Admission answered (granted or refused), as the code awaiting it saw: its round trip ends now. */
  admissionEnded(): void {
    if (this.admissionAt === undefined || this.admissionMs !== null) return;
    this.admissionMs = performance.now() - this.admissionAt;
  }

  /** Input tokens counted at admission (kept when the provider reports none). */
  countedInput(tokens: number): void {
    this.inputTokens = tokens;
  }

  /**
   * Usage so far: the provider's own figures once reported; before that (a stream cut short) the
   * counted input and one output token per content delta, which is how providers stream.
   */
  usage(): Usage {
    return this.usageSeen ?? { inputTokens: this.inputTokens, outputTokens: this.deltas };
  }

  succeed(usage?: Usage, finishReason?: FinishReason, upstreamModel?: string): void {
    if (usage) this.usageSeen = usage;
    if (finishReason) this.finishReason = finishReason;
    if (upstreamModel) this.upstreamModel = upstreamModel;
    this.finish('ok', 200, null);
  }

  fail(err: unknown): void {
    if (this.ctx.signal.aborted) return this.finish('client_aborted', 499, GatewayErrorCode.ClientClosed);
    const gw = err instanceof GatewayError ? err : undefined;
    this.finish('error', gw?.status ?? 500, gw ? (gw.wireCode ?? gw.code) : GatewayErrorCode.Internal, gw?.code ?? GatewayErrorCode.Internal);
  }

  /** The client went away before the stream ended: what was generated still counts. */
  abandon(): void {
    this.finish('client_aborted', 499, GatewayErrorCode.ClientClosed);
  }

  private finish(status: InferenceSummary['status'], httpStatus: number, errorCode: string | null, errorKind: GatewayErrorCode | null = errorCode === null ? null : GatewayErrorCode.ClientClosed): void {
    if (this.done) return;
    this.done = true;
    const now = performance.now();
    const upstreamMs = this.upstreamAt === undefined ? null : (this.upstreamEnd ?? now) - this.upstreamAt;
    const content = this.digest?.retained?.();
    this.endSpan(status === 'error' ? new Error(errorCode ?? 'error') : undefined);
    const summary: InferenceSummary = {
      requestId: this.ctx.requestId,
      surface: this.ctx.surface,
      model: this.fields.model,
      provider: this.fields.provider,
      upstreamModel: this.upstreamModel,
      stream: this.fields.stream,
      status,
      httpStatus,
      errorCode,
      errorKind,
      finishReason: this.finishReason,
      usage: this.usage(),
      startedAtMs: this.ctx.startedAtMs,
      finishedAtMs: this.ctx.startedAtMs + (now - this.ctx.startedAt),
      latencyMs: Math.round(now - this.ctx.startedAt),
      ttftMs: this.ttftMs === null ? null : Math.round(this.ttftMs),
      exactMs: { latency: now - this.ctx.startedAt, ttft: this.ttftMs, upstream: upstreamMs, admission: this.admissionMs },
      attributes: this.digest ? { ...this.ctx.annotations?.(), ...this.digest.digests() } : this.ctx.annotations?.(),
      payer: this.ctx.payer,
      ...(content ? { content } : {}),
    };
    this.observer?.onFinished(summary);
    this.ctx.trace?.finish(summary);
  }
}
