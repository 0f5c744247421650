import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFakeAnthropic, type FakeAnthropic } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';

const SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } as const;
const INPUT_SCHEMA = { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] };
const EPH = { type: 'ephemeral' } as const;
const CONFIGURED_BETA = 'context-management-2025-06-27';

/**
 * Any surface reaches any provider: the two OpenAI surfaces run their tool loops against an Anthropic
 * upstream (the other direction, Anthropic → OpenAI-compatible, is in messages-suite), and
 * Anthropic-only fields reach the upstream that understands them.
 */
describe('cross-protocol: every surface against an Anthropic upstream', () => {
  let anthropicFake: FakeAnthropic;
  let gw: GatewayProcess;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let key: string;

  before(async () => {
    anthropicFake = await startFakeAnthropic({ apiKey: 'sk-ant-secret', toolPreamble: 'Let me check.' });
    const dbUrl = await freshDatabase('gw_e2e_cross_protocol_test');
    const catalog = {
      providers: [{ id: 'claude', kind: 'anthropic', base_url: anthropicFake.url, api_key: 'sk-ant-secret', timeout_ms: 2000, extra_headers: { 'anthropic-beta': CONFIGURED_BETA } }],
      models: [
        { id: 'claude-fake', provider: 'claude', upstream_model: 'claude-fake-1' },
        { id: 'claude-529', provider: 'claude', upstream_model: 'fail-529' },
        { id: 'claude-429', provider: 'claude', upstream_model: 'fail-429' },
        // The fake answers this upstream model with a signed thinking block first.
        { id: 'claude-thinking', provider: 'claude', upstream_model: 'thinking' },
      ],
    };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(15), CATALOG_JSON: JSON.stringify(catalog) });
    key = (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'x', '--email', 'x@example.com', '--credits', '1000'])).api_key.key;
    openai = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.info.inferenceUrl!, apiKey: key, maxRetries: 0 });
  });

  after(async () => {
    const code = await gw?.stop();
    await anthropicFake?.close();
    assert.equal(code, 0, gw?.output());
  });

  const lastUpstream = () => anthropicFake.requests.at(-1)!;

  it('chat completions: a streamed tool loop keeps the Anthropic tool id and input', async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: SCHEMA } }];
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris?' }];
    const first = await openai.chat.completions.stream({ model: 'claude-fake', messages, tools, max_tokens: 64 }).finalChatCompletion();
    const msg = first.choices[0].message;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(msg.content, 'Let me check.');
    const call = msg.tool_calls![0];
    assert.ok(call.type === 'function');
    assert.match(call.id, /^toolu_fake_/);
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.equal(lastUpstream().headers['x-api-key'], 'sk-ant-secret');
    assert.deepEqual(lastUpstream().body.system, [{ type: 'text', text: 'Be brief.' }]);
    messages.push(msg, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' });
    const second = await openai.chat.completions.create({ model: 'claude-fake', messages, tools, max_tokens: 64 });
    assert.equal(second.choices[0].message.content, 'tool said: sunny, 21C');
    const sent = lastUpstream().body.messages;
    assert.deepEqual(sent.at(-2).content.at(-1), { type: 'tool_use', id: call.id, name: 'get_weather', input: { city: 'Paris' } });
    assert.deepEqual(sent.at(-1).content[0], { type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'sunny, 21C' }] });
  });

  it('responses: a streamed function-call loop keeps call_id and arguments', async () => {
    const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'get_weather', parameters: SCHEMA, strict: false }];
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await openai.responses.stream({ model: 'claude-fake', input, tools }).finalResponse();
    const output = first.output as OpenAI.Responses.ResponseOutputItem[];
    const call = output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    assert.match(call.call_id, /^toolu_fake_/);
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    input.push(...(output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'rainy' });
    const second = await openai.responses.stream({ model: 'claude-fake', input, tools }).finalResponse();
    assert.equal(second.output_text, 'tool said: rainy');
    assert.equal(lastUpstream().body.messages.at(-1).content[0].tool_use_id, call.call_id);
  });

  it('messages: Anthropic-only fields reach the Anthropic upstream verbatim; count_tokens asks the upstream', async () => {
    const thinking = { type: 'enabled', budget_tokens: 1024 } as const;
    const final = await anthropic.messages
      .stream({
        model: 'claude-fake',
        max_tokens: 2048,
        thinking,
        messages: [{ role: 'user', content: 'hello' }],
        ...{ context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] } },
      })
      .finalMessage();
    assert.equal(final.content.map((b) => (b.type === 'text' ? b.text : '')).join(''), 'echo: hello');
    const body = lastUpstream().body;
    assert.deepEqual(body.thinking, thinking);
    assert.deepEqual(body.context_management, { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] });
    const { data, response } = await anthropic.messages.countTokens({ model: 'claude-fake', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.equal(response.headers.get('x-gateway-token-count-source'), 'upstream');
    assert.equal(lastUpstream().path.split('?')[0], '/v1/messages/count_tokens');
    assert.ok(data.input_tokens > 0);
  });

  it('messages: cache_control reaches the Anthropic upstream on system, text, tool_use, tool_result and tools', async () => {
    const h1 = { type: 'ephemeral', ttl: '1h' } as const;
    await anthropic.messages.create({
      model: 'claude-fake',
      max_tokens: 64,
      system: [{ type: 'text', text: 'You are Claude Code.', cache_control: h1 }, { type: 'text', text: 'Be brief.' }],
      tools: [{ name: 'get_weather', input_schema: INPUT_SCHEMA, cache_control: EPH }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?', cache_control: EPH }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' }, cache_control: EPH }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'sunny', cache_control: EPH }] },
      ],
    });
    const body = lastUpstream().body;
    assert.deepEqual(body.system, [{ type: 'text', text: 'You are Claude Code.', cache_control: h1 }, { type: 'text', text: 'Be brief.' }]);
    assert.deepEqual(body.tools, [{ name: 'get_weather', input_schema: INPUT_SCHEMA, cache_control: EPH }]);
    assert.deepEqual(body.messages[0].content, [{ type: 'text', text: 'Weather in Paris?', cache_control: EPH }]);
    assert.deepEqual(body.messages[1].content, [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' }, cache_control: EPH }]);
    assert.deepEqual(body.messages[2].content, [{ type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: 'sunny' }], cache_control: EPH }]);
  });

  it('messages: the anthropic-beta header reaches the Anthropic upstream merged with the configured one (count_tokens too), never from chat', async () => {
    const headers = { 'anthropic-beta': `interleaved-thinking-2025-05-14,${CONFIGURED_BETA}` };
    const merged = `${CONFIGURED_BETA},interleaved-thinking-2025-05-14`;
    const params = { model: 'claude-fake', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };
    await anthropic.messages.create(params, { headers });
    assert.equal(lastUpstream().headers['anthropic-beta'], merged);
    // The gateway's own key goes upstream, never the caller's credentials.
    assert.equal(lastUpstream().headers['x-api-key'], 'sk-ant-secret');
    assert.equal(lastUpstream().headers.authorization, undefined);
    await anthropic.messages.countTokens({ model: params.model, messages: params.messages }, { headers });
    assert.equal(lastUpstream().path.split('?')[0], '/v1/messages/count_tokens');
    assert.equal(lastUpstream().headers['anthropic-beta'], merged);
    await openai.chat.completions.create({ model: 'claude-fake', messages: [{ role: 'user', content: 'hi' }] }, { headers });
    assert.equal(lastUpstream().headers['anthropic-beta'], CONFIGURED_BETA);
  });

  it('messages: a tool loop with thinking sends the signed thinking block back first, and the SDK shows it', async () => {
    const thinking = { type: 'enabled', budget_tokens: 1024 } as const;
    const tools = [{ name: 'get_weather', input_schema: INPUT_SCHEMA }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await anthropic.messages.stream({ model: 'claude-thinking', max_tokens: 2048, thinking, tools, messages }).finalMessage();
    assert.deepEqual(
      first.content.map((b) => b.type),
      ['thinking', 'text', 'tool_use'],
    );
    const [block, , call] = first.content;
    assert.ok(block.type === 'thinking' && call.type === 'tool_use');
    assert.equal(block.thinking, 'Let me think about that.');
    assert.equal(block.signature, `sig_fake_${anthropicFake.requests.length}`);
    messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny' }] });
    // The fake, like Anthropic, rejects this request unless the thinking block comes back first with its signature.
    const second = await anthropic.messages.create({ model: 'claude-thinking', max_tokens: 2048, thinking, tools, messages });
    assert.deepEqual(lastUpstream().body.messages[1].content[0], { type: 'thinking', thinking: block.thinking, signature: block.signature });
    assert.deepEqual(second.content[0], { type: 'thinking', thinking: 'Let me think about that.', signature: `sig_fake_${anthropicFake.requests.length}` });
    assert.equal(second.content.find((b) => b.type === 'text')?.text, 'tool said: sunny');
  });

  it('passes an overloaded Anthropic upstream on as 529 (Anthropic) and 503 (OpenAI)', async () => {
    await assert.rejects(
      anthropic.messages.create({ model: 'claude-529', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof Anthropic.APIError && e.status === 529 && !e.message.includes('sk-ant-secret'),
    );
    // The status line has a reason phrase (Node writes `529 unknown` for a status it has no phrase for).
    const raw = await new Promise<{ status?: number; phrase?: string }>((resolve, reject) => {
      const body = JSON.stringify({ model: 'claude-529', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] });
      const headers = { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' };
      request(`${gw.info.inferenceUrl}/v1/messages`, { method: 'POST', headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, phrase: res.statusMessage }));
      })
        .on('error', reject)
        .end(body);
    });
    assert.deepEqual(raw, { status: 529, phrase: 'Overloaded' });
    await assert.rejects(
      openai.chat.completions.create({ model: 'claude-529', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 503,
    );
    await assert.rejects(
      openai.chat.completions.create({ model: 'claude-429', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.RateLimitError && e.headers?.get('retry-after') === '1' && e.type === 'requests' && e.code === 'rate_limit_exceeded',
    );
    await assert.rejects(
      anthropic.messages.create({ model: 'claude-429', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof Anthropic.RateLimitError && (e.error as { error?: { type?: string } }).error?.type === 'rate_limit_error',
    );
  });
});
