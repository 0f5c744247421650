import type { FinishReason, Usage } from '../canonical/canonical-event';
import type { CanonicalRequest } from '../canonical/canonical-request';
import type { CallSignal } from './call-abort';
import type { Payer, QuotaPlan } from './meter.port';

/** Which public surface a request came in on (audit `surface`). */
export type Surface = 'chat.completions' | 'responses' | 'messages' | 'messages.count_tokens';

/** Per-request facts the protocol layer hands to the service. Plain object: no request-scoped DI. */
export interface InferenceContext {
  requestId: string;
  surface: Surface;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** Wall-clock arrival time (ms since epoch). */
  startedAtMs: number;
  /** Aborted when the client disconnects. */
  signal: CallSignal;
  /** Who pays (set by the auth guard). */
  payer?: Payer;
  /**
   * Extra audit fields gathered while the request runs (the policy decision): reported with the summary. Never
   * prompt or completion text.
   */
  annotations?: () => Record<string, unknown>;
  /** Quotas the policy stage attached; the meter holds them with the credits. */
  quota?: QuotaPlan;
  /** The request as the caller sent it, before any policy redaction or rewrite (what `prompt_hmac` digests). */
  original?: CanonicalRequest;
  /**
   * Set by the policy stage when the request's policy retains content (`audit.retain_content`): the observer's digest
   * then keeps the texts it digests for the audit record (sealed there). `days`: the policy's content retention.
   */
  retainContent?: { days: number | null };
  /**
   * A check started before the handler whose answer admission awaits together with its own round trips (the deferred
   * rate limit): resolves when the request may go on, rejects with the refusal. Nothing is answered before it settles.
   */
  gate?: Promise<void>;
  /** The gate's limiter answered recently with room to spare: the gate will almost certainly open ({@link Headroom}). */
  gateLikely?: boolean;
  /** The request's trace when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT); absent, nothing is traced. */
  trace?: RequestTrace;
}

/** The child spans of a request's trace. */
export type TraceStage = 'gateway.admission' | 'gateway.policy.pre' | 'gateway.upstream' | 'gateway.policy.post';

/** One request's trace (libs/observability implements it with OpenTelemetry); never given prompt or output text. */
export interface RequestTrace {
  /** Opens a child span; the returned function ends it (with the error, if any). */
  stage(name: TraceStage): (error?: unknown) => void;
  /** Headers that carry the trace on to an upstream call: the open upstream span's `traceparent` (and `tracestate`). */
  upstreamHeaders(): Record<string, string>;
  /** Ends the request's span with the summary's facts (model, token usage, status). */
  finish(summary: InferenceSummary): void;
}

/** What happened to one request, reported once when it ends (success, error or client abort). */
export interface InferenceSummary {
  requestId: string;
  surface: Surface;
  model: string;
  provider: string;
  upstreamModel: string;
  stream: boolean;
  status: 'ok' | 'error' | 'client_aborted';
  httpStatus: number;
  errorCode: string | null;
  /** The failure's class (`GatewayErrorCode`: `upstream_timeout`, `payment_required`...): a bounded set, for metrics. */
  errorKind: string | null;
  finishReason: FinishReason | null;
  usage: Usage;
  startedAtMs: number;
  finishedAtMs: number;
  latencyMs: number;
  ttftMs: number | null;
  /**
   * Unrounded timings for metrics: the whole request, its first token, and the upstream's share (from the call's
   * dispatch to its answer, or to the stream's end; null when no upstream was called), and admission's round trip
   * (credits, quotas and the deferred rate limit, asked to answered; null when no meter admitted the request).
   */
  exactMs?: { latency: number; ttft: number | null; upstream: number | null; admission?: number | null };
  attributes?: Record<string, unknown>;
  /** Who paid (the audit event's organisation, project and principal); absent when auth never ran. */
  payer?: Payer;
  /** The texts the digest retained ({@link ContentDigest.retained}); only for the observer, never logged. */
  content?: RetainedContent;
}

/** A request's texts kept for its audit record when its policy retains content. */
export interface RetainedContent {
  /** The last user message as sent (what `prompt_hmac` covers); null when there was none. */
  prompt: string | null;
  /** The generated text (what `output_hmac` covers); null when nothing was generated. */
  output: string | null;
  /** The policy's content retention (null: the gateway's default). */
  days: number | null;
}

/**
 * Keyed digests of a request's texts for the audit record (`prompt_hmac`, `output_hmac`): the prompt is the text
 * of the last user message, the output the text the model generated (before any output redaction).
 */
export interface ContentDigest {
  prompt(text: string): void;
  output(delta: string): void;
  /** Merged into the summary's attributes. */
  digests(): Record<string, string | null>;
  /** The digested texts themselves, when the request's policy retains content (reported as the summary's `content`). */
  retained?(): RetainedContent | undefined;
}

/** Receives one summary per request (audit, metering). Must not throw or block. */
export interface InferenceObserver {
  onFinished(summary: InferenceSummary): void;
  /** A digest for the request's texts, when the observer records them (once per request, at admission). */
  digestFor?(ctx: InferenceContext): ContentDigest | undefined;
}

export const INFERENCE_OBSERVER = Symbol('INFERENCE_OBSERVER');
