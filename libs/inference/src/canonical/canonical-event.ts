import type { GatewayError } from '../errors/gateway-error';
import type { Charge } from '../service/meter.port';

/** Why generation ended, in neutral terms; each protocol maps these to its own vocabulary. */
export type FinishReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'content_filter';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

export interface MessageStartEvent {
  type: 'message_start';
  /** Upstream model name that actually served the request. */
  upstreamModel: string;
  /** Input tokens when known at the start (local model, some upstreams). */
  inputTokens?: number;
}
export interface TextDeltaEvent {
  type: 'text_delta';
  text: string;
}
/** Opens tool call `index` (0-based, in the order the model emits them). */
export interface ToolCallStartEvent {
  type: 'tool_call_start';
  index: number;
  id: string;
  name: string;
}
export interface ToolCallDeltaEvent {
  type: 'tool_call_delta';
  index: number;
  argumentsDelta: string;
}
export interface UsageEvent {
  type: 'usage';
  usage: Usage;
}
export interface MessageStopEvent {
  type: 'message_stop';
  finishReason: FinishReason;
  /** The stop sequence that matched, when `finishReason` is `stop_sequence`. */
  stopSequence?: string;
}
export interface ErrorEvent {
  type: 'error';
  error: GatewayError;
}

/** Added by InferenceService (never by providers) after a stream ended normally: what the call cost. */
export interface MeteringEvent {
  type: 'metering';
  charge: Charge;
}

/**
 * Provider output. A well-formed stream is: message_start, any of text/tool events, then usage and
 * message_stop (in either order), or an error event at any point, after which nothing follows.
 */
export type CanonicalEvent =
  | MessageStartEvent
  | TextDeltaEvent
  | ToolCallStartEvent
  | ToolCallDeltaEvent
  | UsageEvent
  | MessageStopEvent
  | ErrorEvent
  | MeteringEvent;

/** A non-streaming result, equivalent to folding a whole event stream. */
export interface CanonicalResponse {
  upstreamModel: string;
  text: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: FinishReason;
  stopSequence?: string;
  usage: Usage;
}
