import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, type CompletionResult, type InferenceContext, type StoredResponse } from '@gw/inference';
import { createResponsesAdapter, type ResponseStorePort, type ResponsesMeta } from './openai-responses.adapter';
import type { ResponseObject } from './openai-responses.response.mapper';

class FakeStore implements ResponseStorePort {
  readonly rows = new Map<string, StoredResponse>();
  failSaves = false;

  async load(id: string, orgId: string | null): Promise<StoredResponse | null> {
    const row = this.rows.get(id);
    return row && orgId && row.orgId === orgId ? structuredClone(row) : null;
  }

  async save(r: StoredResponse): Promise<void> {
    if (this.failSaves) throw new Error('db down');
    this.rows.set(r.id, structuredClone(r));
  }
}

const ctx = (orgId: string | null = 'org-1'): InferenceContext => ({
  requestId: 'req_1',
  surface: 'responses',
  startedAt: 0,
  startedAtMs: 0,
  signal: new AbortController().signal,
  payer: { kind: 'api_key', orgId, apiKeyId: 'k', userId: null, projectId: null },
});

const result = (over: Partial<CompletionResult> = {}): CompletionResult => ({
  upstreamModel: 'u',
  modelId: 'm',
  text: 'Hi Ada',
  toolCalls: [],
  finishReason: 'end_turn',
  usage: { inputTokens: 3, outputTokens: 2 },
  charge: { remainingCredits: 9, creditsUsed: 1, costUsd: 0.000025 },
  ...over,
});

/** parse → respond → afterResponse, as the handler runs a JSON request. */
async function turn(store: FakeStore, body: Record<string, unknown>, res = result(), c = ctx()): Promise<{ body: ResponseObject; meta: ResponsesMeta; messages: unknown[] }> {
  const adapter = createResponsesAdapter(store);
  const { canonical, meta } = await adapter.parse({ model: 'm', ...body }, c, {});
  const out = adapter.respond(res, canonical, meta) as ResponseObject;
  await adapter.afterResponse!(canonical, meta, out, c);
  return { body: out, meta, messages: canonical.messages };
}

const text = (t: string) => ({ type: 'text', text: t });

describe('openai-responses adapter: store and previous_response_id', () => {
  it('keeps nothing by default', async () => {
    const store = new FakeStore();
    const { body } = await turn(store, { input: 'hi' });
    assert.equal(body.store, false);
    assert.equal(store.rows.size, 0);
  });

  it('stores history (no instructions) + the answer, without credit fields, and continues from it', async () => {
    const store = new FakeStore();
    const first = await turn(store, { input: 'My name is Ada.', instructions: 'old rules', store: true });
    assert.match(first.body.id, /^resp_[A-Za-z0-9]{24}$/);
    assert.equal(first.body.store, true);
    const row = store.rows.get(first.body.id)!;
    assert.deepEqual([row.orgId, row.model], ['org-1', 'm']);
    assert.deepEqual(row.history, [{ role: 'user', content: [text('My name is Ada.')] }, { role: 'assistant', content: [text('Hi Ada')] }]);
    assert.equal(row.response.remaining_credits, undefined);
    assert.equal(first.body.remaining_credits, 9, 'the caller still gets them');

    const second = await turn(store, { input: 'What is my name?', instructions: 'new rules', previous_response_id: first.body.id });
    assert.deepEqual(second.messages, [
      { role: 'system', content: [text('new rules')] },
      { role: 'user', content: [text('My name is Ada.')] },
      { role: 'assistant', content: [text('Hi Ada')] },
      { role: 'user', content: [text('What is my name?')] },
    ]);
    assert.equal(second.body.previous_response_id, first.body.id);
    assert.equal(second.meta.conversation.length, 3);
  });

  it('stores tool calls under their call_id so a follow-up function_call_output matches', async () => {
    const store = new FakeStore();
    const first = await turn(store, { input: 'run ls', store: true }, result({ text: '', toolCalls: [{ id: 'call_9', name: 'sh', arguments: '{}' }], finishReason: 'tool_use' }));
    assert.deepEqual(store.rows.get(first.body.id)!.history[1], { role: 'assistant', content: [{ type: 'tool_call', id: 'call_9', name: 'sh', arguments: '{}' }] });
    const second = await turn(store, { previous_response_id: first.body.id, input: [{ type: 'function_call_output', call_id: 'call_9', output: 'ok' }] });
    assert.deepEqual(second.messages.at(-1), { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_9', content: [text('ok')] }] });
  });

  it('answers an unknown, expired or foreign previous_response_id with 404 naming the param', async () => {
    const store = new FakeStore();
    const { body } = await turn(store, { input: 'x', store: true });
    for (const [id, org] of [['resp_nope', 'org-1'], [body.id, 'org-2'], [body.id, null]] as const) {
      await assert.rejects(
        turn(store, { input: 'y', previous_response_id: id }, result(), ctx(org)),
        (e: unknown) =>
          e instanceof GatewayError && e.status === 404 && e.param === 'previous_response_id' && e.wireCode === 'previous_response_not_found' && e.message === `Previous response with id '${id}' not found.`,
      );
    }
  });

  it('does not claim to store without an organisation', async () => {
    const store = new FakeStore();
    const { body } = await turn(store, { input: 'x', store: true }, result(), ctx(null));
    assert.equal(body.store, false);
    assert.equal(store.rows.size, 0);
  });

  it('keeps the JSON answer when the store fails, saying store: false', async () => {
    const store = new FakeStore();
    store.failSaves = true;
    const { body } = await turn(store, { input: 'x', store: true });
    assert.equal(body.store, false);
    assert.equal(body.output[0].type, 'message');
  });

  it('stores a stream from the encoder final body, and fails it with response.failed (output kept) when the store fails', async () => {
    const store = new FakeStore();
    const adapter = createResponsesAdapter(store);
    const { canonical, meta } = await adapter.parse({ model: 'm', input: 'x', store: true, stream: true }, ctx(), {});
    const enc = adapter.encoder(canonical, meta);
    enc.encode({ type: 'message_start', upstreamModel: 'u' });
    enc.encode({ type: 'text_delta', text: 'streamed' });
    enc.finish();
    await adapter.afterResponse!(canonical, meta, enc.finalBody!(), ctx());
    assert.deepEqual(store.rows.get(meta.echo.id)!.history.at(-1), { role: 'assistant', content: [text('streamed')] });

    store.failSaves = true;
    const again = await adapter.parse({ model: 'm', input: 'x', store: true, stream: true }, ctx(), {});
    const enc2 = adapter.encoder(again.canonical, again.meta);
    enc2.encode({ type: 'text_delta', text: 'lost?' });
    enc2.finish();
    const err = await adapter.afterResponse!(again.canonical, again.meta, enc2.finalBody!(), ctx()).then(
      () => assert.fail('should reject'),
      (e: unknown) => e as GatewayError,
    );
    assert.equal(err.status, 500);
    const failed = JSON.parse(enc2.encode({ type: 'error', error: err }).split('data: ')[1]) as { type: string; response: ResponseObject };
    assert.equal(failed.type, 'response.failed');
    assert.deepEqual(failed.response.error, { code: 'server_error', message: err.message });
    assert.deepEqual(failed.response.output.map((o) => o.type === 'message' && o.content[0].text), ['lost?']);
  });
});
