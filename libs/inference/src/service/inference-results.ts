/** What {@link InferenceService}'s entry points answer: a completion, a stream's handle, a token count. */
import type { CanonicalEvent, CanonicalResponse } from '../canonical/canonical-event';
import type { Charge } from './meter.port';

export interface CompletionResult extends CanonicalResponse {
  /** Catalogue id of the model that served (the caller may have used an alias). */
  modelId: string;
  /** Credits charged (absent when no meter is configured). */
  charge?: Charge;
  /** The lowered output cap when the balance could not pay for the requested one. */
  cappedMaxTokens?: number;
}

export interface StreamHandle {
  /** Ends with a `metering` event when a meter is configured (a failed stream: just before its `error` event). */
  events: AsyncIterable<CanonicalEvent>;
  cappedMaxTokens?: number;
  /**
   * Ends the stream early on the gateway's own decision (a policy stop mid-stream): the provider is aborted, what
   * was generated is charged, and the request is reported as served with finish reason `content_filter`. The
   * events that follow are the closing `metering` (no more content).
   */
  stop(): void;
}

/** Where a `count_tokens` figure came from. */
export type TokenCountSource = 'model' | 'upstream' | 'estimate';

export interface TokenCount {
  inputTokens: number;
  source: TokenCountSource;
}
