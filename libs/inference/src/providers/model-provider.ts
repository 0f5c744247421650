import type { CanonicalRequest } from '../canonical/canonical-request';
import type { CanonicalEvent, CanonicalResponse } from '../canonical/canonical-event';
import type { CallSignal } from '../service/call-abort';

/** What a provider is asked to do: the canonical request resolved to one of its models. */
export interface ProviderRequest {
  request: CanonicalRequest;
  /** The model name this provider knows (catalogue `upstream_model`). */
  upstreamModel: string;
  requestId: string;
  /** Aborted when the client disconnects or the gateway shuts down; providers must stop work then. */
  signal: CallSignal;
  /** Trace context for the upstream (`traceparent`, `tracestate`) when tracing is on: sent as request headers. */
  traceHeaders?: Record<string, string>;
}

export interface ProviderCapabilities {
  images: boolean;
  tools: boolean;
}

/**
 * A model engine. `stream` yields a well-formed canonical event stream (see {@link CanonicalEvent});
 * failures are thrown as `GatewayError` before the first event, or yielded as an `error` event after.
 * `complete` returns the folded result, and may use a cheaper non-streaming upstream call.
 */
export interface ModelProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  /** Load weights / warm connections; resolves when the provider can serve. */
  init(): Promise<void>;
  stream(req: ProviderRequest): AsyncIterable<CanonicalEvent>;
  complete(req: ProviderRequest): Promise<CanonicalResponse>;
  /** Exact token count of the request as this provider would see it, cheaply (used at admission). */
  countTokens?(req: ProviderRequest): Promise<number>;
  /**
   * Input tokens as counted by the upstream's own tokenize endpoint (a round trip, so only
   * `count_tokens` uses it); null when the upstream has none or it failed.
   */
  tokenize?(req: ProviderRequest): Promise<number | null>;
  /** True when the provider can serve now (for readiness checks). */
  isReady(): boolean;
  close(): Promise<void>;
}
