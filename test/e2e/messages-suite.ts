import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { waitForRows } from '../support/databases';
import { e2eCatalog, type SuiteMode } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { readSse } from '../support/sse';

const TOOLS: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
];

interface Credits {
  remaining_credits?: number;
  estimated_credits_used?: number;
  estimated_cost_usd?: number;
}

/** The Anthropic Messages contract, driven by the official Anthropic SDK against a real gateway process. */
export function defineMessagesSuite(mode: SuiteMode): void {
  describe(`messages e2e (${mode.name})`, () => {
    let fake: FakeUpstream;
    let gw: GatewayProcess;
    let client: Anthropic;
    let apiKey: string;
    const requestIds: string[] = [];
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${gw.info.inferenceUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    before(async () => {
      fake = await startFakeUpstream();
      gw = await startGateway({ ...(await mode.env()), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)), MESSAGES_DEFAULT_MAX_TOKENS: '77' });
      apiKey = await mode.apiKey(gw);
      client = new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey, maxRetries: 0 });
    });

    after(async () => {
      const code = await gw?.stop();
      await fake?.close();
      assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
    });

    it('lists the catalogue through the Anthropic SDK', async () => {
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.ok(ids.includes('abliterated-model') && ids.includes('fake-model'), ids.join());
    });

    for (const target of ['fake-model', 'abliterated-model']) {
      describe(`against ${target}`, () => {
        it('messages.create: text, stop_reason, usage and the credit fields', async () => {
          const { data, response } = await client.messages
            .create({ model: target, max_tokens: 16, system: 'Tell a story.', messages: [{ role: 'user', content: 'Once upon a time' }] })
            .withResponse();
          requestIds.push(response.headers.get('x-request-id')!);
          assert.equal(data.type, 'message');
          assert.equal(data.role, 'assistant');
          assert.equal(data.model, target);
          const text = data.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
          assert.ok(text.length > 0);
          assert.ok(['end_turn', 'max_tokens'].includes(data.stop_reason!), String(data.stop_reason));
          assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);
          const credits = data as unknown as Credits;
          assert.ok(credits.estimated_credits_used! >= 1 && typeof credits.remaining_credits === 'number' && credits.estimated_cost_usd! > 0);
          if (target === 'fake-model') {
            assert.match(text, /Once upon a time/);
            const upstream = fake.requests.at(-1)!.body;
            assert.deepEqual(upstream.messages[0], { role: 'system', content: 'Tell a story.' });
            assert.equal(upstream.max_tokens, 16);
          }
        });

        it('messages.stream(): text events add up to finalMessage()', async () => {
          const stream = client.messages.stream({ model: target, max_tokens: 16, messages: [{ role: 'user', content: 'Tell me a story' }] });
          let text = '';
          stream.on('text', (t) => (text += t));
          const final = await stream.finalMessage();
          assert.ok(text.length > 0);
          assert.equal(final.content.length, 1);
          assert.equal(final.content.map((b) => (b.type === 'text' ? b.text : '')).join(''), text);
          assert.ok(final.usage.output_tokens > 0);
          assert.ok(final.stop_reason);
        });

        it('runs a tool loop (streamed tool_use, ids and input intact)', async () => {
          const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
          // Greedy sampling: the local 260K model, sampled, now and then spends the whole budget inside the forced call's
          // string argument (stop_reason max_tokens); at temperature 0 its answer is the same on every run.
          const first = await client.messages
            .stream({ model: target, max_tokens: 128, temperature: 0, messages, tools: TOOLS, tool_choice: { type: 'any' } })
            .finalMessage();
          assert.equal(first.stop_reason, 'tool_use');
          const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
          assert.ok(use, JSON.stringify(first.content));
          assert.equal(use.name, 'get_weather');
          assert.equal(typeof (use.input as { city?: unknown }).city, 'string');
          messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21C' }] });
          const second = await client.messages.create({ model: target, max_tokens: 16, messages, tools: TOOLS });
          const answer = second.content[0];
          assert.equal(answer?.type, 'text');
          assert.ok(['end_turn', 'max_tokens'].includes(second.stop_reason!), String(second.stop_reason));
          if (target === 'fake-model') {
            assert.match(answer.type === 'text' ? answer.text : '', /sunny, 21C/);
            const upstream = fake.requests.at(-1)!.body;
            assert.deepEqual(upstream.messages.at(-1), { role: 'tool', tool_call_id: use.id, content: 'sunny, 21C' });
            const sentCall = upstream.messages.at(-2).tool_calls[0];
            assert.equal(sentCall.id, use.id);
            assert.deepEqual(JSON.parse(sentCall.function.arguments), use.input);
          }
        });
      });
    }

    it('counts tokens with the model tokenizer, the upstream tokenize endpoint or the estimator, for free', async () => {
      const body = { messages: [{ role: 'user' as const, content: 'Hello there' }] };
      const sources: Record<string, string> = {};
      for (const model of ['abliterated-model', 'fake-model', 'fake-estimate']) {
        const { data, response } = await client.messages.countTokens({ model, ...body }).withResponse();
        sources[model] = response.headers.get('x-gateway-token-count-source')!;
        requestIds.push(response.headers.get('x-request-id')!);
        assert.ok(data.input_tokens > 0, model);
        if (model === 'fake-model') assert.equal(data.input_tokens, 9, 'the fake tokenizer counts 3 + (3 + ⌈11/4⌉)');
      }
      assert.deepEqual(sources, { 'abliterated-model': 'model', 'fake-model': 'upstream', 'fake-estimate': 'estimate' });
      const charged = await waitForRows(mode.databaseUrl(gw), 'SELECT entry_id FROM credit_ledger WHERE entry_id = ANY($1)', [requestIds.slice(-3)], 1, 1_000);
      assert.equal(charged.length, 0, 'count_tokens is free');
    });

    it('accepts a Claude-Code-shaped streaming request with x-api-key, ?beta=true and beta headers', async () => {
      const res = await post(
        '/v1/messages?beta=true',
        {
          model: 'fake-model',
          stream: true,
          system: [
            { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.330' },
            { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Be careful.', cache_control: { type: 'ephemeral' } },
          ],
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] },
            { role: 'system', content: 'environment: linux' },
            { role: 'user', content: 'say hi' },
          ],
          tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
          tool_choice: { type: 'none' },
          metadata: { user_id: JSON.stringify({ device_id: 'd' }) },
          thinking: { type: 'adaptive', display: 'omitted' },
          context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
          output_config: { effort: 'medium' },
        },
        { 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14', 'x-app': 'cli' },
      );
      assert.equal(res.status, 200, await res.clone().text());
      requestIds.push(res.headers.get('x-request-id')!);
      const frames = await readSse(res);
      assert.ok(frames.every((f) => f.event !== null && f.event === (f.data as { type: string }).type), 'every frame has an event line matching data.type');
      const names = frames.map((f) => f.event).filter((e) => e !== 'ping');
      assert.equal(names[0], 'message_start');
      assert.deepEqual(names.slice(-2), ['message_delta', 'message_stop']);
      const delta = frames.find((f) => f.event === 'message_delta')!.data as Credits & { usage: { output_tokens: number } };
      assert.ok(delta.usage.output_tokens > 0 && delta.estimated_credits_used! >= 1 && typeof delta.remaining_credits === 'number');
      const upstream = fake.requests.at(-1)!.body;
      assert.equal(upstream.max_tokens, 77, 'MESSAGES_DEFAULT_MAX_TOKENS applies when max_tokens is absent');
      assert.deepEqual(upstream.messages.map((m: { role: string }) => m.role), ['system', 'user', 'system', 'user']);
    });

    it('reports errors through the SDK error classes, in the Anthropic envelope', async () => {
      await assert.rejects(
        // temperature is not in SDK 1.12's types any more, but clients still send it: 0–2 here.
        client.messages.create({ model: 'fake-model', max_tokens: 8, messages: [{ role: 'user', content: 'x' }], ...{ temperature: 5 } }),
        (e: unknown) => e instanceof Anthropic.BadRequestError && /temperature/.test(e.message),
      );
      await assert.rejects(
        client.messages.create({ model: 'nope', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof Anthropic.NotFoundError && (e.error as { error?: { type?: string } }).error?.type === 'not_found_error',
      );
      await assert.rejects(
        new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: 'ak_wrong', maxRetries: 0 }).messages.create({ model: 'fake-model', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof Anthropic.AuthenticationError,
      );
      await assert.rejects(
        client.messages.create({ model: 'fake-503', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof Anthropic.APIError && e.status === 529 && (e.error as { error?: { type?: string } }).error?.type === 'overloaded_error',
      );
      await assert.rejects(client.messages.create({ model: 'fake-429', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
        assert.ok(e instanceof Anthropic.RateLimitError, String(e));
        assert.equal(e.headers?.get('retry-after'), '1', "the upstream's Retry-After is passed on");
        return true;
      });
      await assert.rejects(
        client.messages.create({ model: 'fake-500', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
        (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 502 && !e.message.includes('sk-upstream-secret'),
      );
      const bad = await post('/v1/messages', '{"model":');
      assert.equal(bad.status, 400);
      requestIds.push(bad.headers.get('x-request-id')!);
      assert.equal(((await bad.json()) as { type: string; error: { type: string } }).error.type, 'invalid_request_error');
    });

    let midFail = '';
    let midFailCharged: number | undefined;
    it('raises the SDK APIError for a stream that fails mid-way, telling the client what it was charged', async () => {
      const stream = client.messages.stream({ model: 'fake-midfail', max_tokens: 64, messages: [{ role: 'user', content: 'go' }] });
      await assert.rejects(stream.finalMessage(), (e: unknown) => {
        if (!(e instanceof Anthropic.APIError && /broke mid-stream/.test(e.message))) return false;
        const body = e.error as { usage?: { output_tokens: number }; estimated_credits_used?: number; remaining_credits?: number };
        midFailCharged = body.estimated_credits_used;
        return body.usage?.output_tokens === 1 && typeof body.remaining_credits === 'number';
      });
      midFail = stream.request_id!;
      assert.match(midFail, /^req_/, 'Anthropic clients read the request-id header');
      requestIds.push(midFail);
    });

    it('writes one audit row per request with the messages surfaces', async () => {
      const rows = await waitForRows<{ surface: string; status: string }>(
        mode.databaseUrl(gw),
        'SELECT surface, status FROM audit_event WHERE request_id = ANY($1)',
        [requestIds],
        requestIds.length,
      );
      assert.equal(rows.length, requestIds.length);
      assert.equal(rows.filter((r) => r.surface === 'messages.count_tokens').length, 3);
      assert.ok(rows.every((r) => r.surface === 'messages' || r.surface === 'messages.count_tokens'));
      assert.equal(rows.filter((r) => r.status === 'error').length, 2, 'the malformed-JSON request and the failed stream are audited too');
      const charged = await waitForRows<{ credits: string }>(mode.databaseUrl(gw), 'SELECT credits FROM credit_ledger WHERE entry_id = $1', [midFail], 1);
      assert.ok(charged.length === 1 && Number(charged[0].credits) < 0, 'what a failed stream generated is charged, once');
      assert.equal(-Number(charged[0].credits), midFailCharged, 'the error event told the client what the ledger charged');
    });
  });
}
