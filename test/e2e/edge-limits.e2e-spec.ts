import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { e2eCatalog, embeddedMode } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { auditCounts, nested } from './edge-support';

type Json = Record<string, unknown>;
const USER = [{ role: 'user', content: 'x' }];

/**
 * Issue #8, reproducers 1, 4 (edge part) and 9: JSON bodies are checked for depth, NUL, lone surrogates and
 * array length before anything recursive runs, on both planes; over-large bodies get a readable 413.
 */
describe('JSON body limits and body size at the edge (e2e, embedded)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let apiKey: string;
  const audited: string[] = [];

  before(async () => {
    fake = await startFakeUpstream();
    gw = await startGateway({ CATALOG_JSON: JSON.stringify(e2eCatalog(fake)), BODY_LIMIT_BYTES: String(1024 * 1024), JSON_MAX_ARRAY_ITEMS: '1000' });
    apiKey = await embeddedMode.apiKey(gw);
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  /** POSTs a raw body to the inference plane with an id we can find in the audit log. */
  const infer = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const id = `edge-${randomUUID()}`;
    const res = await fetch(`${gw.info.inferenceUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'anthropic-version': '2023-06-01', 'x-request-id': id, ...headers },
      body,
    });
    const json = (await res.json()) as Json;
    if (path !== '/v1/models') audited.push(id);
    assert.equal(res.headers.get('x-request-id'), id);
    return { status: res.status, json };
  };
  const openAIError = (json: Json) => json.error as { message: string; type: string; param: string | null; code: string | null };
  const anthropicError = (json: Json) => {
    assert.equal(json.type, 'error', JSON.stringify(json));
    assert.equal(typeof json.request_id, 'string');
    return json.error as { type: string; message: string };
  };

  const deepZz = `{"model":"fake-model","max_tokens":8,"messages":[{"role":"user","content":"x"}],"zz":${nested(10_000)}}`;
  const zzParam = `zz${'[0]'.repeat(63)}`;

  it('10,000 levels in an unknown field: 400 naming the field on all four endpoints (was 500)', async () => {
    for (const path of ['/v1/chat/completions', '/v1/responses']) {
      const { status, json } = await infer(path, path === '/v1/responses' ? deepZz.replace('"messages"', '"input"') : deepZz);
      assert.equal(status, 400, JSON.stringify(json));
      assert.deepEqual(openAIError(json), { message: `Invalid value for '${zzParam}': is nested deeper than 64 levels.`, type: 'invalid_request_error', param: zzParam, code: 'invalid_request' });
    }
    for (const path of ['/v1/messages', '/v1/messages/count_tokens']) {
      const { status, json } = await infer(path, deepZz);
      assert.equal(status, 400, JSON.stringify(json));
      assert.deepEqual(anthropicError(json), { type: 'invalid_request_error', message: `zz${'.0'.repeat(63)}: Value is nested deeper than 64 levels` });
    }
  });

  it('deep tool schemas, response_format schema and tool_use.input are refused before any mapper runs', async () => {
    // Built as text: JSON.stringify itself recurses, and would overflow on the test's side.
    const DEEP = '"<deep>"';
    const schema = `${'{"type":"object","properties":{"a":'.repeat(5000)}{"type":"string"}${'}}'.repeat(5000)}`;
    const cases: Array<[string, Json, string, RegExp]> = [
      ['/v1/chat/completions', { model: 'fake-model', messages: USER, tools: [{ type: 'function', function: { name: 'f', parameters: '<deep>' } }] }, schema, /^tools\[0\]\.function\.parameters\.properties\.a\.properties/],
      ['/v1/chat/completions', { model: 'fake-model', messages: USER, response_format: { type: 'json_schema', json_schema: { name: 's', schema: '<deep>' } } }, schema, /^response_format\.json_schema\.schema\.properties\.a/],
      ['/v1/responses', { model: 'fake-model', input: 'x', tools: [{ type: 'function', name: 'f', parameters: '<deep>' }] }, schema, /^tools\[0\]\.parameters\.properties/],
      ['/v1/messages', { model: 'fake-model', max_tokens: 8, messages: USER, tools: [{ name: 'f', input_schema: '<deep>' }] }, schema, /^tools\.0\.input_schema\.properties\.a\.properties/],
      ['/v1/messages/count_tokens', { model: 'fake-model', messages: [...USER, { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { v: '<deep>' } }] }] }, nested(10_000), /^messages\.1\.content\.0\.input\.v\.0\.0/],
    ];
    for (const [path, body, deep, where] of cases) {
      const { status, json } = await infer(path, JSON.stringify(body).replace(DEEP, deep));
      assert.equal(status, 400, `${path}: ${JSON.stringify(json).slice(0, 300)}`);
      const located = path.startsWith('/v1/messages') ? anthropicError(json).message : String(openAIError(json).param);
      assert.match(located, where);
    }
  });

  it('a NUL or a lone surrogate anywhere is a 400 naming the field, and never reaches the log', async () => {
    const chat = await infer('/v1/chat/completions', JSON.stringify({ model: 'bad\u0000model', messages: USER }));
    assert.equal(chat.status, 400);
    assert.equal(openAIError(chat.json).param, 'model');
    const content = await infer('/v1/responses', JSON.stringify({ model: 'fake-model', input: [{ role: 'user', content: [{ type: 'input_text', text: 'a\u0000b' }] }] }));
    assert.equal(openAIError(content.json).param, 'input[0].content[0].text');
    const lone = await infer('/v1/messages', JSON.stringify({ model: 'fake-model', max_tokens: 8, system: 'ok \ud800', messages: USER }));
    assert.equal(lone.status, 400);
    assert.equal(anthropicError(lone.json).message, 'system: Value contains an unpaired UTF-16 surrogate');
    const key = await infer('/v1/chat/completions', JSON.stringify({ model: 'fake-model', messages: USER, metadata: { 'k\u0000': 'v' } }));
    assert.equal(openAIError(key.json).param, 'metadata.k\\u0000');
    assert.ok(!gw.output().includes('\u0000'), 'no NUL in the gateway output');
  });

  it('an array over JSON_MAX_ARRAY_ITEMS is refused with its path', async () => {
    const { status, json } = await infer('/v1/chat/completions', JSON.stringify({ model: 'fake-model', messages: USER, zz: [Array(1001).fill(0)] }));
    assert.equal(status, 400);
    assert.equal(openAIError(json).param, 'zz[0]');
  });

  it('413, 415 and malformed JSON come back readable in each envelope', async () => {
    const big = JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'x'.repeat(4 * 1024 * 1024) }] });
    for (let i = 0; i < 3; i++) {
      const chat = await infer('/v1/chat/completions', big);
      assert.equal(chat.status, 413);
      assert.deepEqual(openAIError(chat.json), { message: 'The request body is larger than the 1048576-byte limit.', type: 'invalid_request_error', param: null, code: 'request_too_large' });
      const msg = await infer('/v1/messages', big);
      assert.equal(msg.status, 413);
      assert.equal(anthropicError(msg.json).type, 'request_too_large');
    }
    const form = await infer('/v1/chat/completions', 'model=fake-model', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal(openAIError(form.json).code, 'unsupported_media_type');
    const broken = await infer('/v1/messages', '{"model":');
    assert.equal(broken.status, 400);
    assert.match(anthropicError(broken.json).message, /not valid JSON/);
  });

  it('every refused generation request was audited exactly once', async () => {
    const counts = await auditCounts(gw.info.databaseUrl!, audited);
    assert.deepEqual(
      audited.filter((id) => counts[id] !== 1).map((id) => `${id}: ${counts[id] ?? 0}`),
      [],
    );
  });

  describe('control plane', () => {
    const control = async (path: string, body: string) => {
      const res = await fetch(`${gw.info.controlUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, json: (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
    };

    it('speaks {error:{message,type,param,code}} and names the field of a NUL or a deep value', async () => {
      const nul = await control('/api/keys', JSON.stringify({ label: 'a\u0000b' }));
      assert.equal(nul.status, 400);
      assert.deepEqual(nul.json.error, { message: "Invalid value for 'label': contains a NUL character (\\u0000).", type: 'invalid_request_error', param: 'label', code: 'invalid_value' });
      const email = await control('/api/auth/login', JSON.stringify({ email: 'a\u0000@b.test', password: 'x' }));
      assert.equal(email.json.error.param, 'email');
      const deep = await control('/api/keys', `{"label":"k","zz":${nested(10_000)}}`);
      assert.equal(deep.status, 400);
      assert.equal(deep.json.error.param, zzParam);
    });

    it('bodies over 1 MiB get a readable 413, never a reset (reproducer 9: was EPIPE)', async () => {
      for (const mb of [2, 8, 8, 32]) {
        const res = await control('/api/keys', JSON.stringify({ label: 'x'.repeat(mb * 1024 * 1024) }));
        assert.equal(res.status, 413);
        assert.deepEqual(res.json.error, { message: 'The request body is larger than the 1048576-byte limit.', type: 'invalid_request_error', param: null, code: 'request_too_large' });
      }
    });
  });
});
