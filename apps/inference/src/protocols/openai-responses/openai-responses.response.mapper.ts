import type { Charge, CompletionResult, FinishReason, Usage } from '@gw/inference';
import { chargeFields } from '../openai-chat/openai-chat.response.mapper';
import { newId } from '../shared/ids';
import type { ResponsesBody } from './openai-responses.schema';

/** Makes item and response ids (`resp_…`, `msg_…`, `fc_…`); injectable so stream snapshots are stable. */
export type IdFactory = (prefix: string) => string;

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}
export interface MessageItem {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'assistant';
  content: OutputText[];
}
export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}
export type OutputItem = MessageItem | FunctionCallItem;

export interface WireUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The request-derived part of every response object, fixed when the request is parsed. */
export interface ResponseEcho {
  id: string;
  created_at: number;
  model: string;
  instructions: string | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  /** Whether this response is actually kept (not merely asked for). */
  store: boolean;
  temperature: number | null;
  text: Record<string, unknown>;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  user: string | null;
  safety_identifier: string | null;
  metadata: Record<string, string>;
}

/**
 * The `response` object. `output_text` is left out on purpose: it is not part of OpenAI's wire format
 * (both SDKs derive it from `output`), and a stale copy would override the SDK's own.
 */
export interface ResponseObject extends Omit<ResponseEcho, 'id' | 'created_at'> {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  output: OutputItem[];
  reasoning: { effort: null; summary: null };
  truncation: 'disabled';
  usage: WireUsage | null;
  remaining_credits?: number;
  estimated_credits_used?: number;
  estimated_cost_usd?: number;
}

export function echoOf(body: ResponsesBody, id: string, createdAt: number, store: boolean): ResponseEcho {
  return {
    id,
    created_at: createdAt,
    model: body.model,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    store,
    temperature: body.temperature ?? null,
    text: { ...body.text, format: body.text?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    user: body.user ?? null,
    safety_identifier: body.safety_identifier ?? null,
    metadata: body.metadata ?? {},
  };
}

/** `max_tokens` and `content_filter` end a response as `incomplete`, with the reason; anything else completes it. */
export function statusOf(reason: FinishReason): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (reason === 'max_tokens') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function wireUsage(u: Usage): WireUsage {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}

export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [], logprobs: [] });

export interface BodyState {
  status: ResponseStatus;
  incomplete_details?: ResponseObject['incomplete_details'];
  error?: ResponseObject['error'];
  output: OutputItem[];
  usage: Usage | null;
  charge?: Charge;
}

/** One builder for the JSON body, the stream's lifecycle events and what is stored, in OpenAI's field order. */
export function responseBody(echo: ResponseEcho, s: BodyState): ResponseObject {
  const { id, created_at, ...rest } = echo;
  return {
    id,
    object: 'response',
    created_at,
    status: s.status,
    error: s.error ?? null,
    incomplete_details: s.incomplete_details ?? null,
    ...rest,
    output: s.output,
    reasoning: { effort: null, summary: null }, // the gateway runs no reasoning of its own to report
    truncation: 'disabled',
    usage: s.usage && wireUsage(s.usage),
    ...(s.charge ? chargeFields(s.charge) : {}),
  };
}

/**
 * Canonical result → `response` body: a message item when there is text (or nothing else), then one
 * `function_call` item per call. Items of an incomplete response are `incomplete`, as at OpenAI.
 */
export function toResponse(res: CompletionResult, echo: ResponseEcho, ids: IdFactory = newId): ResponseObject {
  const { status, incomplete_details } = statusOf(res.finishReason);
  const itemStatus: ItemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
  const output: OutputItem[] = [];
  if (res.text.length || !res.toolCalls.length) {
    output.push({ id: ids('msg_'), type: 'message', status: itemStatus, role: 'assistant', content: [outputText(res.text)] });
  }
  for (const c of res.toolCalls) {
    output.push({ id: ids('fc_'), type: 'function_call', status: itemStatus, call_id: c.id, name: c.name, arguments: c.arguments });
  }
  return responseBody(echo, { status, incomplete_details, output, usage: res.usage, charge: res.charge });
}
