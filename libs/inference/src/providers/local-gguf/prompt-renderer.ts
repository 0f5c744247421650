import type { CanonicalMessage, ContentPart, ImagePart, Role, TextPart, ToolDefinition } from '../../canonical/canonical-request';
import { GatewayError } from '../../errors/gateway-error';

/**
 * Plain-text prompt for a base model with no chat template:
 *
 *   System: You can call these tools by writing [call NAME {JSON arguments}]:
 *   - get_weather: Current weather. Arguments: {"type":"object",...}
 *   System: Be brief.
 *   User: Weather in Paris?
 *   Assistant: [call get_weather {"city":"Paris"}]
 *   Tool: [result of get_weather call_1] 18°C
 *   Assistant:
 *
 * A forced tool call appends the opening of the call (`[call get_weather `) after the final `Assistant:`,
 * in the same notation used for past calls, so the grammar-constrained arguments follow naturally.
 */
export interface RenderOptions {
  /** Tools to describe (empty when tool choice is `none`). */
  tools: readonly ToolDefinition[];
  /** Text appended after the final `Assistant:` (the start of a forced tool call). */
  assistantPrefix?: string;
  upstreamModel: string;
  providerId: string;
}

const LABELS: Record<Role, string> = {
  system: 'System',
  developer: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

export function renderPrompt(messages: readonly CanonicalMessage[], opts: RenderOptions): string {
  const lines: string[] = [];
  if (opts.tools.length > 0) lines.push(renderTools(opts.tools));
  const toolNames = new Map<string, string>();
  for (const message of messages) renderMessage(message, toolNames, lines, opts);
  lines.push(`Assistant:${opts.assistantPrefix ?? ''}`);
  return lines.join('\n');
}

/** The opening of a call to `name`, appended after `Assistant:` (no name yet: the model picks one). */
export function toolCallOpening(name?: string): string {
  return name === undefined ? ' [call' : ` [call ${name} `;
}

function renderTools(tools: readonly ToolDefinition[]): string {
  const list = tools.map((t) => {
    const description = t.description ? ` ${oneLine(t.description)}` : '';
    return `- ${t.name}:${description} Arguments: ${JSON.stringify(t.parameters)}`;
  });
  return ['System: You can call these tools by writing [call NAME {JSON arguments}]:', ...list].join('\n');
}

function renderMessage(message: CanonicalMessage, toolNames: Map<string, string>, lines: string[], opts: RenderOptions): void {
  const label = LABELS[message.role];
  let pending: string[] = [];
  const flush = () => {
    if (pending.length > 0) lines.push(`${label}: ${pending.join(message.role === 'assistant' ? ' ' : '\n')}`);
    pending = [];
  };
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        pending.push(part.text);
        break;
      case 'image':
        throw imageRejected(opts);
      case 'tool_call':
        toolNames.set(part.id, part.name);
        pending.push(`[call ${part.name} ${part.arguments}]`);
        break;
      case 'tool_result': {
        flush();
        const kind = part.isError ? 'error' : 'result';
        const name = toolNames.get(part.toolCallId) ?? 'tool';
        lines.push(`Tool: [${kind} of ${name} ${part.toolCallId}] ${partsText(part.content, opts)}`);
        break;
      }
      case 'reasoning':
      case 'redacted_reasoning':
        break; // another model's earlier reasoning (signed for Anthropic): not part of this model's prompt
      default:
        assertNever(part);
    }
  }
  flush();
}

function partsText(parts: ReadonlyArray<TextPart | ImagePart>, opts: RenderOptions): string {
  return parts
    .map((p) => {
      if (p.type === 'image') throw imageRejected(opts);
      return p.text;
    })
    .join('\n');
}

function imageRejected(opts: RenderOptions): GatewayError {
  return GatewayError.invalid(
    `The model '${opts.upstreamModel}' served by provider '${opts.providerId}' does not accept image input`,
    'messages',
  );
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function assertNever(part: never): never {
  throw new Error(`unhandled content part ${(part as ContentPart).type}`);
}
