import type { CanonicalEvent, CanonicalResponse, FinishReason, Usage } from './canonical-event';
import type { ReasoningPart } from './canonical-request';

/** Folds a canonical event stream into the equivalent non-streaming response; rethrows an error event. */
export async function foldEvents(events: AsyncIterable<CanonicalEvent>): Promise<CanonicalResponse> {
  let upstreamModel = '';
  let text = '';
  const reasoning: NonNullable<CanonicalResponse['reasoning']> = [];
  /** The reasoning block deltas and the signature go to; closed by any other content. */
  let open: ReasoningPart | undefined;
  const openReasoning = (): ReasoningPart => {
    open = { type: 'reasoning', text: '' };
    reasoning.push(open);
    return open;
  };
  const toolCalls: CanonicalResponse['toolCalls'] = [];
  let finishReason: FinishReason = 'end_turn';
  let stopSequence: string | undefined;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  for await (const ev of events) {
    switch (ev.type) {
      case 'message_start':
        upstreamModel = ev.upstreamModel;
        if (ev.inputTokens !== undefined) usage = { ...usage, inputTokens: ev.inputTokens };
        break;
      case 'text_delta':
        text += ev.text;
        if (ev.text) open = undefined;
        break;
      case 'reasoning_start':
        openReasoning();
        break;
      case 'reasoning_delta':
        (open ?? openReasoning()).text += ev.text;
        break;
      case 'reasoning_signature':
        // Replaces, as the Anthropic SDK does with `signature_delta`: the signature is one opaque value, not a stream.
        if (open) open.signature = ev.signature;
        break;
      case 'redacted_reasoning':
        open = undefined;
        reasoning.push({ type: 'redacted_reasoning', data: ev.data });
        break;
      case 'tool_call_start':
        open = undefined;
        toolCalls[ev.index] = { id: ev.id, name: ev.name, arguments: '' };
        break;
      case 'tool_call_delta': {
        const call = toolCalls[ev.index];
        if (call) call.arguments += ev.argumentsDelta;
        break;
      }
      case 'usage':
        usage = ev.usage;
        break;
      case 'message_stop':
        finishReason = ev.finishReason;
        stopSequence = ev.stopSequence;
        break;
      case 'error':
        throw ev.error;
      case 'metering':
        break;
      default: {
        const never: never = ev;
        throw new Error(`unhandled event ${(never as CanonicalEvent).type}`);
      }
    }
  }
  return {
    upstreamModel,
    text,
    ...(reasoning.length > 0 && { reasoning }),
    toolCalls: toolCalls.filter(Boolean),
    finishReason,
    stopSequence,
    usage,
  };
}
