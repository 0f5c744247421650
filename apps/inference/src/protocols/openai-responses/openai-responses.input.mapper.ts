import { GatewayError, type CanonicalMessage, type ImagePart, type TextPart } from '@gw/inference';
import type { WireItem, WirePart } from './openai-responses.schema';

type Part = TextPart | ImagePart;
/** Which part types a slot accepts: images only where the upstream can take them (user turns, tool output). */
type Slot = 'user' | 'instruction' | 'assistant' | 'tool_output';

const unsupported = (at: string, what: string) => GatewayError.invalid(`Invalid value for '${at}.type': ${what} is not supported.`, `${at}.type`);

function imagePart(p: WirePart, at: string): ImagePart {
  if (p.file_id) throw GatewayError.invalid(`Invalid value for '${at}.file_id': file inputs are not supported; send the image as 'image_url'.`, `${at}.file_id`);
  const url = p.image_url;
  if (typeof url !== 'string' || !url) throw GatewayError.invalid(`Missing required parameter: '${at}.image_url'.`, `${at}.image_url`);
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { kind: 'base64', mediaType: data[1], data: data[2] }, detail: p.detail ?? undefined };
  if (!/^https?:\/\//i.test(url)) {
    throw GatewayError.invalid(`Invalid value for '${at}.image_url': expected an http(s) URL or a base64 data URL.`, `${at}.image_url`);
  }
  return { type: 'image', source: { kind: 'url', url }, detail: p.detail ?? undefined };
}

function part(p: WirePart, at: string, slot: Slot): Part {
  switch (p.type) {
    case 'input_text':
      // Assistant turns should carry output_text, but it is text either way: accepting it costs nothing.
      return { type: 'text', text: p.text! };
    case 'output_text':
      if (slot !== 'assistant') throw unsupported(at, `content part 'output_text' outside an assistant message`);
      return { type: 'text', text: p.text! };
    case 'refusal':
      // A refusal the model gave earlier is still what it said: keep it as assistant text.
      if (slot !== 'assistant') throw unsupported(at, `content part 'refusal' outside an assistant message`);
      return { type: 'text', text: p.refusal! };
    case 'input_image':
      if (slot === 'user' || slot === 'tool_output') return imagePart(p, at);
      throw unsupported(at, `content part 'input_image' in this role`);
    default:
      throw unsupported(at, `content part '${p.type}'`);
  }
}

function parts(content: string | WirePart[], at: string, slot: Slot): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((p, i) => part(p, `${at}[${i}]`, slot));
}

function message(item: WireItem, at: string): CanonicalMessage {
  const role = item.role!;
  const slot: Slot = role === 'user' ? 'user' : role === 'assistant' ? 'assistant' : 'instruction';
  return { role, content: parts(item.content!, `${at}.content`, slot) };
}

/**
 * `input` items → canonical messages. A `function_call` joins the assistant message right before it
 * (OpenAI emits text and calls as separate items of one turn; chat upstreams want one assistant
 * message with `tool_calls`). Canonical tool call ids are the `call_id`s, so ids round-trip intact.
 */
export function toMessages(input: string | WireItem[]): CanonicalMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: [{ type: 'text', text: input }] }];
  const out: CanonicalMessage[] = [];
  input.forEach((item, i) => {
    const at = `input[${i}]`;
    switch (item.type ?? 'message') {
      case 'message':
        out.push(message(item, at));
        return;
      case 'function_call': {
        const call = { type: 'tool_call' as const, id: item.call_id!, name: item.name!, arguments: item.arguments! };
        const last = out.at(-1);
        if (last?.role === 'assistant') last.content.push(call);
        else out.push({ role: 'assistant', content: [call] });
        return;
      }
      case 'function_call_output':
        out.push({ role: 'tool', content: [{ type: 'tool_result', toolCallId: item.call_id!, content: parts(item.output!, `${at}.output`, 'tool_output') }] });
        return;
      case 'reasoning':
        // The gateway never produces reasoning items; clients (Codex) may echo ones from elsewhere. Nothing to send on.
        return;
      default:
        throw unsupported(at, `input item type '${item.type}'`);
    }
  });
  return out;
}
