import { randomInt } from 'node:crypto';
import type { CanonicalRequest, ToolDefinition } from '../../canonical/canonical-request';
import { GatewayError } from '../../errors/gateway-error';
import { renderPrompt, toolCallOpening } from './prompt-renderer';

/** Generated tokens when the request sets no `maxTokens` (always further capped by the context). */
export const DEFAULT_MAX_TOKENS = 256;
/** Sampling temperature when the request sets none (node-llama-cpp's suggested value). */
export const DEFAULT_TEMPERATURE = 0.8;

export interface SamplingOptions {
  temperature: number;
  topP?: number;
  topK?: number;
  seed: number;
  /** node-llama-cpp repeat-penalty options, or `false` when no penalty was asked for. */
  repeatPenalty: false | { lastTokens: number; penalty: number; penalizeNewLine: boolean; presencePenalty: number; frequencyPenalty: number };
}

/** How the answer is produced: free text (optionally JSON-constrained), or a forced tool call. */
export type GenerationMode =
  | { kind: 'text'; json?: { schema?: Record<string, unknown> } }
  /** One candidate: call it. Several (`required`): the model picks the name first, then the arguments. */
  | { kind: 'tool'; candidates: ToolDefinition[] };

export interface GenerationPlan {
  prompt: string;
  mode: GenerationMode;
  /** Requested cap (or the default), before the context limit is applied. */
  maxTokens: number;
  sampling: SamplingOptions;
  stop: string[];
}

export function planRequest(request: CanonicalRequest, upstreamModel: string, providerId: string): GenerationPlan {
  const mode = resolveMode(request);
  const describedTools = request.toolChoice?.type === 'none' ? [] : (request.tools ?? []);
  const assistantPrefix =
    mode.kind === 'tool' ? toolCallOpening(mode.candidates.length === 1 ? mode.candidates[0].name : undefined) : undefined;
  const prompt = renderPrompt(request.messages, { tools: describedTools, assistantPrefix, upstreamModel, providerId });
  const maxTokens = Math.max(1, Math.floor(request.maxTokens ?? DEFAULT_MAX_TOKENS));
  return {
    prompt,
    mode,
    maxTokens,
    sampling: resolveSampling(request, maxTokens),
    // Stop sequences apply to text only: cutting tool-call arguments would break their JSON.
    stop: mode.kind === 'text' ? (request.stop ?? []).filter((s) => s.length > 0) : [],
  };
}

function resolveMode(request: CanonicalRequest): GenerationMode {
  const tools = request.tools ?? [];
  const choice = request.toolChoice;
  if (tools.length > 0 && choice?.type === 'tool') {
    const tool = tools.find((t) => t.name === choice.name);
    if (!tool) throw GatewayError.invalid(`tool_choice names '${choice.name}', which is not among the request's tools`, 'tool_choice');
    return { kind: 'tool', candidates: [tool] };
  }
  if (tools.length > 0 && choice?.type === 'required') return { kind: 'tool', candidates: tools };
  const format = request.responseFormat;
  if (format?.type === 'json_object') return { kind: 'text', json: {} };
  if (format?.type === 'json_schema') return { kind: 'text', json: { schema: format.schema } };
  return { kind: 'text' };
}

/**
 * temperature/topP/topK/seed map one to one (no seed ⇒ a random one, so unseeded requests differ).
 * presence/frequency penalties map to llama.cpp's penalties sampler, which applies the same additive
 * formula as OpenAI (logit -= count·frequency + [count>0]·presence) over every generated token.
 */
function resolveSampling(request: CanonicalRequest, maxTokens: number): SamplingOptions {
  const s = request.sampling;
  const presence = clamp(s.presencePenalty ?? 0, -2, 2);
  const frequency = clamp(s.frequencyPenalty ?? 0, -2, 2);
  return {
    temperature: clamp(s.temperature ?? DEFAULT_TEMPERATURE, 0, 2),
    topP: s.topP === undefined ? undefined : clamp(s.topP, 0, 1),
    topK: s.topK === undefined ? undefined : Math.max(0, Math.floor(s.topK)),
    seed: s.seed === undefined ? randomInt(0, 2 ** 31 - 1) : Math.abs(Math.floor(s.seed)) % 2 ** 32,
    repeatPenalty:
      presence === 0 && frequency === 0
        ? false
        : { lastTokens: maxTokens, penalty: 1, penalizeNewLine: true, presencePenalty: presence, frequencyPenalty: frequency },
  };
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
