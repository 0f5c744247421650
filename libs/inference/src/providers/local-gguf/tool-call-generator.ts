import { randomBytes } from 'node:crypto';
import type { CanonicalEvent, FinishReason } from '../../canonical/canonical-event';
import type { ToolDefinition } from '../../canonical/canonical-request';
import { runCompletion } from './completion-runner';
import type { LlamaContextSequence, LlamaRuntime, Token } from './llama-runtime';
import type { SamplingOptions } from './request-plan';

export interface ToolCallJob {
  /** The prompt, ending with the call's opening: `[call NAME ` (one candidate) or `[call` (several). */
  tokens: Token[];
  candidates: readonly ToolDefinition[];
  maxTokens: number;
  sampling: SamplingOptions;
  signal: AbortSignal;
  emit: (event: CanonicalEvent) => void;
}

export interface ToolCallOutcome {
  outputTokens: number;
  finishReason: FinishReason;
}

/**
 * Produces one tool call with a model that cannot decide to call tools by itself: the caller forced the
 * call, and grammars make the output well-formed. With several candidates the model first picks the
 * name (a JSON enum grammar over the names), then writes the arguments under a grammar built from that
 * tool's JSON schema (any JSON object when the schema is unsupported). Argument text is streamed as
 * `tool_call_delta` events as it is generated; the call ends with finish reason `tool_use`, or
 * `max_tokens` when the cap cut the arguments short.
 */
export async function generateToolCall(rt: LlamaRuntime, sequence: LlamaContextSequence, job: ToolCallJob): Promise<ToolCallOutcome> {
  let tokens = job.tokens;
  let outputTokens = 0;
  let tool = job.candidates[0];
  if (!tool) throw new Error('no tool to call');

  if (job.candidates.length > 1) {
    const names = job.candidates.map((t) => t.name);
    const pick = await runCompletion(rt, sequence, {
      tokens,
      maxTokens: job.maxTokens,
      sampling: job.sampling,
      grammar: await rt.grammars.forSchema({ enum: names }),
      stop: [],
      signal: job.signal,
      onText: () => undefined,
    });
    outputTokens += pick.outputTokens;
    if (pick.finishReason === 'max_tokens') return { outputTokens, finishReason: 'max_tokens' };
    const picked = parseName(pick.text);
    tool = job.candidates.find((t) => t.name === picked) ?? tool;
    // Continue the same line of text: `[call NAME ` then the arguments (the sequence reuses the prefix).
    tokens = [...tokens, ...rt.model.tokenize(` ${tool.name} `, false, 'trimLeadingSpace')];
  }

  job.emit({ type: 'tool_call_start', index: 0, id: newCallId(), name: tool.name });
  const args = await runCompletion(rt, sequence, {
    tokens,
    maxTokens: job.maxTokens - outputTokens,
    sampling: job.sampling,
    grammar: await rt.grammars.forSchema(tool.parameters),
    stop: [],
    signal: job.signal,
    onText: (text) => job.emit({ type: 'tool_call_delta', index: 0, argumentsDelta: text }),
  });
  outputTokens += args.outputTokens;
  return { outputTokens, finishReason: args.finishReason === 'max_tokens' ? 'max_tokens' : 'tool_use' };
}

/** OpenAI-style call id: `call_` + 24 url-safe random characters. */
export function newCallId(): string {
  return `call_${randomBytes(18).toString('base64url')}`;
}

function parseName(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
