import type { GatewayError } from '../errors/gateway-error';
import type { Charge } from '../service/meter.port';
import type { ReasoningPart, RedactedReasoningPart } from './canonical-request';

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
/**
 * Opens a reasoning block (Anthropic `thinking`): the reasoning deltas and signature that follow belong to it, until
 * any other content event. Blocks are explicit because consecutive ones each carry their own signature.
 */
export interface ReasoningStartEvent {
  type: 'reasoning_start';
}
/** Reasoning text; one arriving with no reasoning block open opens one. */
export interface ReasoningDeltaEvent {
  type: 'reasoning_delta';
  text: string;
}
/** The open reasoning block's signature (Anthropic sends it once, after the text; a later one replaces it); needed back verbatim. */
export interface ReasoningSignatureEvent {
  type: 'reasoning_signature';
  signature: string;
}
/** A whole reasoning block the upstream encrypted (Anthropic `redacted_thinking`). */
export interface RedactedReasoningEvent {
  type: 'redacted_reasoning';
  data: string;
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

/** Added by InferenceService (never by providers) after a stream ended, normally or just before its error event: what the call cost. */
export interface MeteringEvent {
  type: 'metering';
  charge: Charge;
  /** The usage the charge was computed from (for a failed stream, what was generated before the failure). */
  usage?: Usage;
}

/**
 * Provider output. A well-formed stream is: message_start, any of text/reasoning/tool events, then usage and
 * message_stop (in either order), or an error event at any point, after which nothing follows.
 */
export type CanonicalEvent =
  | MessageStartEvent
  | TextDeltaEvent
  | ReasoningStartEvent
  | ReasoningDeltaEvent
  | ReasoningSignatureEvent
  | RedactedReasoningEvent
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
  /** Reasoning blocks in the order produced (they precede the text and calls); absent when there was none. */
  reasoning?: Array<ReasoningPart | RedactedReasoningPart>;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: FinishReason;
  stopSequence?: string;
  usage: Usage;
}
