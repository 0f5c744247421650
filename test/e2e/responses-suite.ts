import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { waitForRows } from '../support/databases';
import { e2eCatalog, type SuiteMode } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { readSse } from '../support/sse';

const TOOLS: OpenAI.Responses.FunctionTool[] = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: false,
  },
];

interface Credits {
  remaining_credits?: number;
  estimated_credits_used?: number;
  estimated_cost_usd?: number;
}

/** The Responses contract, driven by the official OpenAI SDK against a real gateway process. */
export function defineResponsesSuite(mode: SuiteMode): void {
  describe(`responses e2e (${mode.name})`, () => {
    let fake: FakeUpstream;
    let gw: GatewayProcess;
    let client: OpenAI;
    let apiKey: string;
    const requestIds: string[] = [];

    before(async () => {
      fake = await startFakeUpstream();
      gw = await startGateway({ ...(await mode.env()), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)), RESPONSES_STORE_TTL_SECONDS: '2' });
      apiKey = await mode.apiKey(gw);
      client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey, maxRetries: 0 });
    });

    after(async () => {
      const code = await gw?.stop();
      await fake?.close();
      assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
    });

    for (const target of ['fake-model', 'abliterated-model']) {
      describe(`against ${target}`, () => {
        it('responses.create: output text, usage and the credit fields', async () => {
          const { data, response } = await client.responses
            .create({ model: target, input: 'Once upon a time', instructions: 'Tell a story.', max_output_tokens: 16, metadata: { k: 'v' } })
            .withResponse();
          requestIds.push(response.headers.get('x-request-id')!);
          assert.equal(data.object, 'response');
          assert.match(data.id, /^resp_/);
          assert.equal(data.model, target);
          assert.ok(['completed', 'incomplete'].includes(data.status!), data.status);
          assert.ok(data.output_text.length > 0);
          assert.deepEqual(data.metadata, { k: 'v' });
          assert.ok(data.usage!.input_tokens > 0 && data.usage!.output_tokens > 0);
          assert.equal(data.usage!.total_tokens, data.usage!.input_tokens + data.usage!.output_tokens);
          const credits = data as unknown as Credits;
          assert.ok(credits.estimated_credits_used! >= 1 && typeof credits.remaining_credits === 'number' && credits.estimated_cost_usd! > 0);
          if (target === 'fake-model') {
            assert.match(data.output_text, /Once upon a time/);
            const upstream = fake.requests.at(-1)!.body;
            assert.deepEqual(upstream.messages[0], { role: 'system', content: 'Tell a story.' });
            assert.equal(upstream.max_tokens, 16);
          }
        });

        it('responses.stream(): text deltas add up to finalResponse(), usage and credits on response.completed', async () => {
          const stream = client.responses.stream({ model: target, input: [{ role: 'user', content: 'Tell me a story' }], max_output_tokens: 16 });
          let text = '';
          const types: string[] = [];
          stream.on('event', (e) => types.push(e.type));
          stream.on('response.output_text.delta', (e) => (text += e.delta));
          const final = await stream.finalResponse();
          assert.ok(text.length > 0);
          assert.equal(final.output_text, text);
          assert.equal(types[0], 'response.created');
          assert.ok(['response.completed', 'response.incomplete'].includes(types.at(-1)!), types.at(-1));
          for (const t of ['response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done']) {
            assert.ok(types.includes(t), `missing ${t}`);
          }
          assert.ok(final.usage!.output_tokens > 0);
          assert.ok((final as unknown as Credits).estimated_credits_used! >= 1);
        });

        it('runs a function-call loop (streamed call, ids and arguments intact)', async () => {
          const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
          const first = await client.responses.stream({ model: target, input, tools: TOOLS, tool_choice: 'required', max_output_tokens: 128, temperature: 0 }).finalResponse();
          const output = first.output as OpenAI.Responses.ResponseOutputItem[];
          const call = output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
          assert.ok(call, JSON.stringify(output));
          assert.equal(call.name, 'get_weather');
          assert.equal(typeof (JSON.parse(call.arguments) as { city?: unknown }).city, 'string');
          input.push(...(output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' });
          const second = await client.responses.create({ model: target, input, tools: TOOLS, max_output_tokens: 16 });
          // The unseeded local model may stop at once: an answer item is what matters here, the text is the fake's check.
          assert.ok(second.output.some((o) => o.type === 'message'), JSON.stringify(second.output));
          assert.ok(['completed', 'incomplete'].includes(second.status!), second.status);
          if (target === 'fake-model') {
            assert.equal(second.output_text, 'tool said: sunny, 21C');
            const upstream = fake.requests.at(-1)!.body;
            assert.deepEqual(upstream.messages.at(-1), { role: 'tool', tool_call_id: call.call_id, content: 'sunny, 21C' });
            assert.deepEqual(upstream.messages.at(-2).tool_calls[0], { id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } });
          }
        });
      });
    }

    it('continues a stored response with previous_response_id, then forgets it after the TTL', async () => {
      const first = await client.responses.create({ model: 'fake-model', input: 'My name is Ada.', store: true });
      assert.equal((await client.responses.retrieve(first.id)).id, first.id);
      const second = await client.responses.create({ model: 'fake-model', input: 'What is my name?', previous_response_id: first.id });
      assert.equal(second.previous_response_id, first.id);
      const sent = fake.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
      assert.deepEqual(sent.map((m) => m.role), ['user', 'assistant', 'user']);
      assert.equal(sent[0].content, 'My name is Ada.');
      assert.equal(sent[1].content, first.output_text);
      await new Promise((r) => setTimeout(r, 2_100));
      await assert.rejects(
        client.responses.create({ model: 'fake-model', input: 'again', previous_response_id: first.id }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as { param?: string }).param === 'previous_response_id',
      );
    });

    it('deletes a stored response once; another organisation can neither read, continue nor delete it', async () => {
      // The other organisation first: the stored response lives 2 s (RESPONSES_STORE_TTL_SECONDS), less than a CLI run may take.
      const other = await bootstrapCli({ DATABASE_URL: mode.databaseUrl(gw) }, ['--org', 'other', '--email', 'other@example.com', '--credits', '100']);
      const stranger = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: other.api_key.key, maxRetries: 0 });
      const r = await client.responses.create({ model: 'fake-model', input: 'keep me', store: true });
      await assert.rejects(stranger.responses.retrieve(r.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
      await assert.rejects(stranger.responses.create({ model: 'fake-model', input: 'x', previous_response_id: r.id }), (e: unknown) => e instanceof OpenAI.NotFoundError);
      await assert.rejects(stranger.responses.delete(r.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
      assert.equal((await client.responses.retrieve(r.id)).id, r.id);
      await client.responses.delete(r.id);
      await assert.rejects(client.responses.retrieve(r.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
      await assert.rejects(client.responses.delete(r.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    });

    it('keeps nothing without store: true', async () => {
      const r = await client.responses.create({ model: 'fake-model', input: 'forget me' });
      await assert.rejects(client.responses.retrieve(r.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
      const rows = await waitForRows(mode.databaseUrl(gw), 'SELECT id FROM stored_response WHERE id = $1', [r.id], 1, 300);
      assert.equal(rows.length, 0);
    });

    it('accepts a Codex-shaped body: developer messages, non-function tools dropped, extra fields', async () => {
      const res = await fetch(`${gw.info.inferenceUrl}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, accept: 'text/event-stream' },
        body: JSON.stringify({
          model: 'fake-model',
          stream: true,
          input: [
            { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
            { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Sandbox: none.' }] },
            { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'env' }] },
            { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'say hi' }] },
          ],
          tools: [
            { type: 'namespace', name: 'multi_agent_v1', tools: [] },
            { type: 'web_search' },
            { type: 'function', name: 'exec_command', description: 'run', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
          ],
          tool_choice: 'auto',
          parallel_tool_calls: true,
          reasoning: { summary: 'auto' },
          store: false,
          include: ['reasoning.encrypted_content'],
          prompt_cache_key: 'abc',
          client_metadata: { x: '1' },
        }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const events = await readSse(res);
      assert.equal(events[0].event, 'response.created');
      assert.equal(events.at(-1)!.event, 'response.completed');
      assert.deepEqual(events.map((e) => (e.data as { sequence_number: number }).sequence_number), events.map((_, i) => i));
      const upstream = fake.requests.at(-1)!.body;
      assert.deepEqual(upstream.tools.map((t: { function: { name: string } }) => t.function.name), ['exec_command']);
      assert.deepEqual(upstream.messages.slice(0, 2).map((m: { role: string }) => m.role), ['system', 'system']);
    });

    it('reports errors through the SDK error classes', async () => {
      await assert.rejects(
        client.responses.create({ model: 'fake-model', input: 'x', temperature: 5 }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { param?: string }).param === 'temperature',
      );
      await assert.rejects(
        client.responses.create({ model: 'nope', input: 'x' }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
      );
      await assert.rejects(
        new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: 'ak_wrong', maxRetries: 0 }).responses.create({ model: 'fake-model', input: 'x' }),
        (e: unknown) => e instanceof OpenAI.AuthenticationError,
      );
      await assert.rejects(client.responses.create({ model: 'fake-429', input: 'x' }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.RateLimitError, String(e));
        assert.equal(e.headers?.get('retry-after'), '1', "the upstream's Retry-After is passed on");
        return true;
      });
      for (const [model, status] of [['dead-model', 502], ['fake-500', 502], ['fake-hang', 504], ['fake-503', 503]] as const) {
        await assert.rejects(
          client.responses.create({ model, input: 'x' }),
          (e: unknown) => e instanceof OpenAI.APIError && e.status === status && !String(e.message).includes('sk-upstream-secret'),
          model,
        );
      }
    });

    let midFail = '';
    let midFailCharged: number | undefined;
    it('ends a stream that fails mid-way with response.failed, carrying its usage and charge', async () => {
      const final = await client.responses.stream({ model: 'fake-midfail', input: 'go' }).finalResponse();
      assert.equal(final.status, 'failed');
      assert.ok(final.error?.message);
      assert.equal(final.usage?.output_tokens, 1);
      assert.equal((final as { estimated_credits_used?: number }).estimated_credits_used, 1);
      const { data: events, response } = await client.responses.create({ model: 'fake-midfail', input: 'go', stream: true }).withResponse();
      const types: string[] = [];
      for await (const e of events) {
        types.push(e.type);
        if (e.type === 'response.failed') midFailCharged = (e.response as { estimated_credits_used?: number }).estimated_credits_used;
      }
      assert.equal(types.at(-1), 'response.failed');
      assert.ok(types.includes('response.output_text.delta'), 'the partial output was streamed first');
      midFail = response.headers.get('x-request-id')!;
      requestIds.push(midFail);
    });

    it('answers malformed JSON with 400 in the OpenAI envelope', async () => {
      const bad = await fetch(`${gw.info.inferenceUrl}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: '{"model":',
      });
      assert.equal(bad.status, 400);
      requestIds.push(bad.headers.get('x-request-id')!);
      assert.equal(((await bad.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
    });

    it('writes one audit row per request with surface responses', async () => {
      const rows = await waitForRows<{ surface: string; status: string }>(
        mode.databaseUrl(gw),
        'SELECT surface, status FROM audit_event WHERE request_id = ANY($1)',
        [requestIds],
        requestIds.length,
      );
      assert.equal(rows.length, requestIds.length);
      assert.ok(rows.every((r) => r.surface === 'responses'));
      assert.equal(rows.filter((r) => r.status === 'error').length, 2, 'the malformed-JSON request and the failed stream');
      const charged = await waitForRows<{ credits: string }>(mode.databaseUrl(gw), 'SELECT credits FROM credit_ledger WHERE entry_id = $1', [midFail], 1);
      assert.ok(charged.length === 1 && Number(charged[0].credits) < 0, 'what a failed stream generated is charged, once');
      assert.equal(-Number(charged[0].credits), midFailCharged, 'response.failed told the client what the ledger charged');
    });
  });
}
