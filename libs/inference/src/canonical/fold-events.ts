import type { CanonicalEvent, CanonicalResponse, FinishReason, Usage } from './canonical-event';

/** Folds a canonical event stream into the equivalent non-streaming response; rethrows an error event. */
export async function foldEvents(events: AsyncIterable<CanonicalEvent>): Promise<CanonicalResponse> {
  let upstreamModel = '';
  let text = '';
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
        break;
      case 'tool_call_start':
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
  return { upstreamModel, text, toolCalls: toolCalls.filter(Boolean), finishReason, stopSequence, usage };
}
