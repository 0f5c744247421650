import type { CanonicalEvent } from '@gw/inference';
import { MessagesStreamEncoder } from './anthropic-messages.stream';

/** Test fixtures shared by the encoder snapshot spec and the SDK round-trip spec. */
export function encodeAll(events: CanonicalEvent[], id = 'msg_1', model = 'm'): string {
  const sut = new MessagesStreamEncoder({ id, model });
  return events.map((e) => sut.encode(e)).join('') + sut.finish();
}

export const TEXT_STREAM: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u', inputTokens: 9 },
  { type: 'text_delta', text: 'Hel' },
  { type: 'text_delta', text: '' },
  { type: 'text_delta', text: 'lo' },
  { type: 'usage', usage: { inputTokens: 9, outputTokens: 2 } },
  { type: 'message_stop', finishReason: 'end_turn' },
  { type: 'metering', charge: { remainingCredits: 487, creditsUsed: 1, costUsd: 0.000055 } },
];

export const TOOL_STREAM: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u' },
  { type: 'text_delta', text: 'Checking.' },
  { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool_call_start', index: 1, id: 'toolu_2', name: 'get_time' },
  { type: 'message_stop', finishReason: 'tool_use' },
  { type: 'usage', usage: { inputTokens: 50, outputTokens: 12, cachedInputTokens: 20 } },
];

/** Thinking (streamed in two deltas, then signed), a redacted block, text and a tool call: a Claude tool turn. */
export const THINKING_STREAM: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u', inputTokens: 5 },
  { type: 'reasoning_start' },
  { type: 'reasoning_delta', text: 'Let me ' },
  { type: 'reasoning_delta', text: 'think.' },
  { type: 'reasoning_signature', signature: 'sig_1' },
  { type: 'redacted_reasoning', data: 'opaque==' },
  { type: 'text_delta', text: 'Checking.' },
  { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
  { type: 'usage', usage: { inputTokens: 5, outputTokens: 20 } },
  { type: 'message_stop', finishReason: 'tool_use' },
];
