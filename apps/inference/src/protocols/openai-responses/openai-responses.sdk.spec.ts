import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { accumulateResponse } from 'openai/lib/responses/ResponseAccumulator';
import type { Response as SdkResponse, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { GatewayError, GatewayErrorCode, type CanonicalEvent, type CanonicalRequest, type CompletionResult, type InferenceContext } from '@gw/inference';
import { createResponsesAdapter } from './openai-responses.adapter';

/**
 * Conformance against the real client code (openai@6): our frames go through the SDK's own SSE
 * parser, accumulator and `finalResponse()`, and what the SDK sends goes through our parser.
 */
const adapter = createResponsesAdapter({ load: async () => null, save: async () => undefined });
const ctx: InferenceContext = { requestId: 'r', surface: 'responses', startedAt: 0, startedAtMs: 0, signal: new AbortController().signal };

const TEXT: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u', inputTokens: 4 },
  { type: 'text_delta', text: 'hi ' },
  { type: 'text_delta', text: 'from gateway' },
  { type: 'usage', usage: { inputTokens: 4, outputTokens: 3 } },
  { type: 'message_stop', finishReason: 'end_turn' },
  { type: 'metering', charge: { remainingCredits: 5, creditsUsed: 1, costUsd: 0.000035 } },
];
const CALL: CanonicalEvent[] = [
  { type: 'message_start', upstreamModel: 'u' },
  { type: 'tool_call_start', index: 0, id: 'call_1', name: 'exec_command' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"cmd":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"ls"}' },
  { type: 'message_stop', finishReason: 'tool_use' },
];

/** A client whose transport runs the adapter: each request body is parsed as the gateway would parse it. */
function client(answer: (req: CanonicalRequest) => CanonicalEvent[] | CompletionResult, seen: CanonicalRequest[] = []): OpenAI {
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    assert.equal(typeof init?.body, 'string', 'the SDK sends JSON text');
    const { canonical, meta } = await adapter.parse(JSON.parse(init!.body as string), ctx, {});
    seen.push(canonical);
    const out = answer(canonical);
    if (!Array.isArray(out)) return Response.json(adapter.respond(out, canonical, meta));
    const enc = adapter.encoder(canonical, meta);
    const sse = out.map((e) => enc.encode(e)).join('') + enc.finish();
    return new Response(sse, { headers: { 'content-type': 'text/event-stream' } });
  };
  return new OpenAI({ apiKey: 'k', baseURL: 'http://gateway.test/v1', fetch, maxRetries: 0 });
}

/** Our SSE text → the events the SDK would see (the data lines; `event:` must agree with `data.type`). */
function events(sse: string): ResponseStreamEvent[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((f) => {
      const [ev, data] = f.split('\n');
      const parsed = JSON.parse(data.slice('data: '.length)) as ResponseStreamEvent;
      assert.equal(ev, `event: ${parsed.type}`);
      return parsed;
    });
}

describe('openai-responses against the openai SDK', () => {
  it('accumulateResponse() builds the text at every step and keeps it after response.completed replaces the snapshot', async () => {
    const { canonical, meta } = await adapter.parse({ model: 'm', input: 'x', stream: true }, ctx, {});
    const enc = adapter.encoder(canonical, meta);
    let snapshot: SdkResponse | undefined;
    for (const e of events(TEXT.map((x) => enc.encode(x)).join('') + enc.finish())) {
      snapshot = accumulateResponse(e, snapshot);
      if (e.type === 'response.output_text.delta') assert.equal(snapshot.output_text, e.delta === 'hi ' ? 'hi ' : 'hi from gateway');
    }
    assert.equal(snapshot?.status, 'completed');
    assert.equal(snapshot?.output_text, 'hi from gateway');
    assert.equal(snapshot?.usage?.total_tokens, 7);
  });

  it('responses.stream(): finalResponse() has the text, usage and credit fields; events arrive in order', async () => {
    const stream = client(() => TEXT).responses.stream({ model: 'm', input: 'say hi' });
    const types: string[] = [];
    let deltas = '';
    stream.on('event', (e) => types.push(e.type));
    stream.on('response.output_text.delta', (e) => (deltas += e.delta));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'hi from gateway');
    assert.equal(deltas, 'hi from gateway');
    assert.equal(final.usage?.output_tokens, 3);
    assert.equal((final as unknown as { remaining_credits: number }).remaining_credits, 5);
    assert.deepEqual(types, [
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('runs a function-call loop: streamed call, SDK-echoed output items and function_call_output parse back with ids intact', async () => {
    const seen: CanonicalRequest[] = [];
    const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'exec_command', parameters: { type: 'object' }, strict: false }];
    const first = await client(() => CALL, seen).responses.stream({ model: 'm', input: 'list files', tools }).finalResponse();
    const call = first.output.find((o) => o.type === 'function_call');
    if (call?.type !== 'function_call') return assert.fail(JSON.stringify(first.output));
    assert.deepEqual([call.call_id, call.name, call.arguments, call.status], ['call_1', 'exec_command', '{"cmd":"ls"}', 'completed']);
    assert.match(call.id!, /^fc_/);
    assert.equal(first.output.length, 1, 'no empty message beside a call');

    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'list files' }, ...(first.output as OpenAI.Responses.ResponseInputItem[])];
    input.push({ type: 'function_call_output', call_id: call.call_id, output: 'a.txt' });
    const done: CompletionResult = { upstreamModel: 'u', modelId: 'm', text: 'a.txt exists', toolCalls: [], finishReason: 'end_turn', usage: { inputTokens: 9, outputTokens: 3 } };
    const second = await client(() => done, seen).responses.create({ model: 'm', input, tools });
    assert.equal(second.output_text, 'a.txt exists');
    assert.deepEqual(seen[1].messages.slice(1), [
      { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a.txt' }] }] },
    ]);
  });

  it('a mid-stream failure resolves finalResponse() with status failed and the error, as the SDK documents', async () => {
    const failing: CanonicalEvent[] = [TEXT[0], TEXT[1], { type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamTimeout, 'upstream timed out') }];
    const final = await client(() => failing).responses.stream({ model: 'm', input: 'x' }).finalResponse();
    assert.equal(final.status, 'failed');
    assert.deepEqual(final.error, { code: 'upstream_timeout', message: 'upstream timed out' });
    assert.equal(final.output_text, 'hi ');
  });

  it('a failed stream that was billed still resolves finalResponse() as failed, with its usage and credit fields', async () => {
    const failing: CanonicalEvent[] = [
      TEXT[0],
      TEXT[1],
      { type: 'metering', charge: { remainingCredits: 5, creditsUsed: 1, costUsd: 0.000025 }, usage: { inputTokens: 4, outputTokens: 1 } },
      { type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'upstream died') },
    ];
    const final = await client(() => failing).responses.stream({ model: 'm', input: 'x' }).finalResponse();
    assert.equal(final.status, 'failed');
    assert.equal(final.usage?.output_tokens, 1);
    const billed = final as SdkResponse & { estimated_credits_used?: number; remaining_credits?: number };
    assert.deepEqual([billed.estimated_credits_used, billed.remaining_credits], [1, 5]);
  });

  it('responses.create() over JSON: the SDK derives output_text from our output items', async () => {
    const res: CompletionResult = { upstreamModel: 'u', modelId: 'm', text: 'plain', toolCalls: [], finishReason: 'max_tokens', usage: { inputTokens: 1, outputTokens: 1 } };
    const out = await client(() => res).responses.create({ model: 'm', input: 'x', max_output_tokens: 1 });
    assert.equal(out.output_text, 'plain');
    assert.deepEqual([out.status, out.incomplete_details?.reason], ['incomplete', 'max_output_tokens']);
  });
});
