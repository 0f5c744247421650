import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { e2eCatalog, type SuiteMode } from '../support/e2e-modes';
import { waitForRows } from '../support/databases';
import { readSse } from '../support/sse';

const TOOLS: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

/** The chat-completions contract, driven by the official OpenAI SDK against a real gateway process. */
export function defineChatSuite(mode: SuiteMode): void {
  describe(`chat completions e2e (${mode.name})`, () => {
    let fake: FakeUpstream;
    let gw: GatewayProcess;
    let client: OpenAI;
    let auth: Record<string, string>;
    const requestIds: string[] = [];

    before(async () => {
      fake = await startFakeUpstream();
      gw = await startGateway({ ...(await mode.env()), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)), BODY_LIMIT_BYTES: String(1024 * 1024) });
      const apiKey = await mode.apiKey(gw);
      auth = { authorization: `Bearer ${apiKey}` };
      client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey, maxRetries: 0 });
    });

    after(async () => {
      const code = await gw?.stop();
      await fake?.close();
      assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
    });

    it('lists the catalogue in the OpenAI list shape', async () => {
      const ids = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.ok(ids.includes('abliterated-model') && ids.includes('abliteration-model') && ids.includes('fake-model'), ids.join());
    });

    for (const target of ['fake-model', 'abliterated-model']) {
      describe(`against ${target}`, () => {
        it('create: returns a completion with usage', async () => {
          const { data, response } = await client.chat.completions
            .create({ model: target, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16, seed: 1, logit_bias: { '50256': -100 } })
            .withResponse();
          requestIds.push(response.headers.get('x-request-id')!);
          assert.equal(response.status, 200);
          assert.equal(data.object, 'chat.completion');
          assert.equal(data.model, target);
          const choice = data.choices[0];
          assert.equal(choice.message.role, 'assistant');
          assert.ok(typeof choice.message.content === 'string' && choice.message.content.length > 0);
          assert.ok(['stop', 'length'].includes(choice.finish_reason));
          assert.ok(data.usage!.prompt_tokens > 0 && data.usage!.completion_tokens > 0);
          assert.equal(data.usage!.total_tokens, data.usage!.prompt_tokens + data.usage!.completion_tokens);
          if (target === 'fake-model') {
            assert.match(choice.message.content, /Once upon a time/);
            const upstream = fake.requests.at(-1)!.body;
            assert.deepEqual(upstream.logit_bias, { '50256': -100 }, 'fields the gateway does not interpret reach the upstream');
            assert.equal(upstream.max_tokens, 16);
            assert.equal(upstream.seed, 1);
            assert.equal(fake.requests.at(-1)!.headers.authorization, 'Bearer sk-upstream-secret');
          }
        });

        it('stream(): deltas add up to finalChatCompletion(), with include_usage', async () => {
          const stream = client.chat.completions.stream({
            model: target,
            messages: [{ role: 'user', content: 'Tell me a story' }],
            max_tokens: 16,
            stream_options: { include_usage: true },
          });
          let text = '';
          let usageChunks = 0;
          stream.on('chunk', (c) => {
            text += c.choices[0]?.delta.content ?? '';
            if (c.usage && c.choices.length === 0) usageChunks++;
          });
          const final = await stream.finalChatCompletion();
          assert.equal(final.choices[0].message.content, text);
          assert.ok(text.length > 0);
          assert.equal(usageChunks, 1);
          assert.ok(final.usage!.completion_tokens > 0);
        });

        it('round-trips a tool call (streaming call, non-streaming answer)', async () => {
          const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
          const first = await client.chat.completions
            .stream({ model: target, messages, tools: TOOLS, tool_choice: 'required', max_tokens: 128, seed: 7 })
            .finalChatCompletion();
          const msg = first.choices[0].message;
          assert.equal(first.choices[0].finish_reason, 'tool_calls');
          const call = msg.tool_calls![0];
          assert.equal(call.type === 'function' && call.function.name, 'get_weather');
          const args = JSON.parse(call.type === 'function' ? call.function.arguments : '{}') as { city?: unknown };
          assert.equal(typeof args.city, 'string');
          messages.push(msg, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
          const second = await client.chat.completions.create({ model: target, messages, tools: TOOLS, max_tokens: 16 });
          assert.equal(typeof second.choices[0].message.content, 'string'); // the unseeded local model may stop at once
          if (target === 'fake-model') {
            assert.match(second.choices[0].message.content ?? '', /sunny, 21C/);
            const upstream = fake.requests.at(-1)!.body;
            assert.deepEqual(upstream.messages.at(-1), { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
            assert.equal(upstream.messages.at(-2).tool_calls[0].id, call.id);
          }
        });
      });
    }

    it('rejects bad input with BadRequestError naming the field', async () => {
      await assert.rejects(
        client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'x' }], temperature: 5 }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && (e.error as { param?: string }).param === 'temperature',
      );
    });

    it('refuses image input with 400 when the provider cannot take images', async () => {
      await assert.rejects(
        client.chat.completions.create({
          model: 'abliterated-model',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
        }),
        (e: unknown) => e instanceof OpenAI.BadRequestError && /does not accept image input/.test(e.message),
      );
    });

    it('answers an unknown model with NotFoundError model_not_found', async () => {
      await assert.rejects(
        client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
      );
    });

    it('maps an unreachable or failing upstream to 502 and a hanging one to 504', async () => {
      for (const [model, status] of [['dead-model', 502], ['fake-500', 502], ['fake-hang', 504]] as const) {
        await assert.rejects(
          client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }),
          (e: unknown) => e instanceof OpenAI.InternalServerError && e.status === status && !String(e.message).includes('sk-upstream-secret'),
          model,
        );
      }
    });

    it('answers malformed JSON and oversized bodies with 4xx in the OpenAI envelope', async () => {
      const url = `${gw.info.inferenceUrl}/v1/chat/completions`;
      const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{"model":' });
      assert.equal(bad.status, 400);
      requestIds.push(bad.headers.get('x-request-id')!);
      const body = (await bad.json()) as { error: { type: string; message: string } };
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, /not valid JSON/);
      const big = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }) });
      assert.equal(big.status, 413);
      assert.ok(((await big.json()) as { error?: unknown }).error);
    });

    it('aborts the upstream request when the client disconnects mid-stream', async () => {
      const ac = new AbortController();
      const res = await fetch(`${gw.info.inferenceUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ model: 'fake-slow', stream: true, messages: [{ role: 'user', content: 'go' }] }),
        signal: ac.signal,
      });
      requestIds.push(res.headers.get('x-request-id')!);
      const reader = res.body!.getReader();
      await reader.read();
      const upstream = await fake.waitForRequest((r) => r.body?.model === 'slow-stream');
      ac.abort();
      const t0 = performance.now();
      await Promise.race([upstream.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('upstream not closed')), 2000))]);
      assert.equal(upstream.aborted, true);
      assert.ok(performance.now() - t0 < 2000);
    });

    it('writes one audit row per request to Postgres', async () => {
      const rows = await waitForRows<{ request_id: string; status: string; input_tokens: number; output_tokens: number }>(
        mode.databaseUrl(gw),
        'SELECT request_id, status, input_tokens, output_tokens FROM audit_event WHERE request_id = ANY($1)',
        [requestIds],
        requestIds.length,
      );
      assert.equal(rows.length, requestIds.length);
      const aborted = rows.find((r) => r.request_id === requestIds.at(-1))!;
      assert.equal(aborted.status, 'client_aborted');
      assert.equal(rows.filter((r) => r.status === 'error').length, 1, 'the malformed-JSON request is audited too');
      assert.ok(rows.filter((r) => r.status === 'ok').every((r) => r.input_tokens > 0 && r.output_tokens > 0));
    });

    it('tells the client what a stream that failed mid-way was charged, on its error chunk, as the ledger has it', async () => {
      const res = await fetch(`${gw.info.inferenceUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ model: 'fake-midfail', stream: true, messages: [{ role: 'user', content: 'go' }] }),
      });
      const last = (await readSse(res)).at(-1)!.data as { error?: { message: string }; usage?: { completion_tokens: number }; estimated_credits_used?: number };
      assert.match(last.error?.message ?? '', /broke mid-stream/);
      assert.equal(last.usage?.completion_tokens, 1);
      const charged = await waitForRows<{ credits: string }>(mode.databaseUrl(gw), 'SELECT credits FROM credit_ledger WHERE entry_id = $1', [res.headers.get('x-request-id')], 1);
      assert.equal(-Number(charged[0]?.credits), last.estimated_credits_used);
    });

    it('serves health and OpenAPI docs on both apps', async () => {
      for (const base of [gw.info.inferenceUrl!, gw.info.controlUrl!]) {
        const ready = await fetch(`${base}/health/ready`);
        assert.equal(ready.status, 200, await ready.clone().text());
        assert.equal((await fetch(`${base}/health/live`)).status, 200);
        assert.equal((await fetch(`${base}/docs/openapi.json`)).status, 200);
      }
    });
  });
}
