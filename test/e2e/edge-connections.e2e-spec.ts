import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { e2eCatalog, embeddedMode } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { auditCounts, parseRaw, rawExchange, rawRequest } from './edge-support';

const REQUEST_TIMEOUT_MS = 2000;

/**
 * Issue #8, reproducers 10, 11 and 13, over raw sockets (HTTP clients hide resets and open connections):
 * Node-level errors in the app's envelope, slow requests cut off, `Connection: close` honoured on streams.
 */
describe('connections at the edge: client errors, timeouts, Connection: close (e2e, embedded)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let auth: Record<string, string>;

  before(async () => {
    // The slow stream lasts ~4 s: twice the request timeout, which must not cut it.
    fake = await startFakeUpstream({ chunkIntervalMs: 25, slowChunks: 160 });
    const base = e2eCatalog(fake);
    // The suites' providers give up after 1.5 s; the long stream needs a patient one.
    const catalog = {
      providers: [...base.providers, { id: 'fake-patient', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 30_000 }],
      models: [...base.models, { id: 'fake-long', provider: 'fake-patient', upstream_model: 'slow-stream' }],
    };
    gw = await startGateway({ CATALOG_JSON: JSON.stringify(catalog), REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HEADERS_TIMEOUT_MS: '1000' });
    auth = { authorization: `Bearer ${await embeddedMode.apiKey(gw)}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  const planes = () => [
    { origin: gw.info.inferenceUrl!, path: '/v1/chat/completions', envelope: 'openai' },
    { origin: gw.info.inferenceUrl!, path: '/v1/messages', envelope: 'anthropic' },
    { origin: gw.info.controlUrl!, path: '/api/keys', envelope: 'control' },
  ];

  /** The envelope of `envelope`, with `code` (OpenAI, control) or `type` (Anthropic) as expected. */
  const assertEnvelope = (envelope: string, body: unknown, code: string, anthropicType = 'invalid_request_error') => {
    const b = body as { type?: string; request_id?: string; error: { message: string; type: string; param?: unknown; code?: unknown } };
    if (envelope === 'anthropic') {
      assert.equal(b.type, 'error', JSON.stringify(body));
      assert.equal(b.error.type, anthropicType);
      assert.equal(typeof b.request_id, 'string');
    } else {
      assert.deepEqual(Object.keys(b.error).sort(), ['code', 'message', 'param', 'type'], JSON.stringify(body));
      assert.equal(b.error.code, code);
    }
    assert.ok(b.error.message.length > 0);
  };

  it('a NUL or control byte in a header: 400 in the envelope of the path, then the connection closes (was Fastify\'s shape)', async () => {
    for (const { origin, path, envelope } of planes()) {
      for (const bad of ['a\u0000b', 'a\u0001b']) {
        const out = await rawExchange(origin, [rawRequest('POST', path, { ...auth, 'x-junk': bad }, '{}')], { waitMs: 3000 });
        assert.equal(out.end, 'closed', `${path}: ${out.text}`);
        const res = parseRaw(out.text);
        assert.equal(res.status, 400, out.text);
        assert.equal(res.headers.connection, 'close');
        assertEnvelope(envelope, res.body, 'malformed_http_request');
      }
    }
  });

  it('20 KB of headers: 431 in the envelope, connection closed cleanly', async () => {
    for (const { origin, path, envelope } of planes()) {
      const out = await rawExchange(origin, [rawRequest('GET', path, { 'x-big': 'a'.repeat(20_000) })], { waitMs: 3000 });
      assert.equal(out.end, 'closed', out.text);
      const res = parseRaw(out.text);
      assert.equal(res.status, 431, out.text);
      assertEnvelope(envelope, res.body, 'request_header_fields_too_large');
    }
  });

  it('20 KB of headers arriving in two reads: 431 in a body both envelopes accept (the request line was in the first read)', async () => {
    for (const { path, envelope } of planes().slice(0, 2)) {
      const whole = rawRequest('GET', path, { 'x-small': 'b', 'x-big': 'a'.repeat(20_000) });
      const cut = whole.indexOf('x-big');
      const out = await rawExchange(gw.info.inferenceUrl!, [whole.slice(0, cut), whole.slice(cut)], { waitMs: 3000, gapMs: 200 });
      assert.equal(out.end, 'closed', out.text);
      const res = parseRaw(out.text);
      assert.equal(res.status, 431, out.text);
      // Whichever the path was, its SDK reads the body as its own envelope.
      assertEnvelope(envelope, res.body, 'request_header_fields_too_large');
      assertEnvelope(envelope === 'openai' ? 'anthropic' : 'openai', res.body, 'request_header_fields_too_large');
    }
  });

  it('partial bodies time out: 30 connections trickling a 100 KB body all get a 408 and are closed (reproducer 11)', async () => {
    const ids: string[] = [];
    const runs = Array.from({ length: 30 }, (_, i) => {
      const { origin, path, envelope } = planes()[i % 3];
      const id = `edge-slow-${Date.now()}-${i}`;
      if (envelope !== 'control') ids.push(id);
      const head = rawRequest('POST', path, { ...auth, 'x-request-id': id, 'content-length': '100000' });
      // A byte every 400 ms, for longer than the whole test would allow.
      return rawExchange(origin, [head, ...Array.from({ length: 40 }, () => ' ')], { waitMs: REQUEST_TIMEOUT_MS + 4000, gapMs: 400 }).then((out) => ({ out, envelope }));
    });
    for (const { out, envelope } of await Promise.all(runs)) {
      assert.equal(out.end, 'closed', `still ${out.end} after ${out.ms} ms: ${out.text}`);
      assert.ok(out.ms < REQUEST_TIMEOUT_MS + 2500, `closed after ${out.ms} ms`);
      const res = parseRaw(out.text);
      assert.equal(res.status, 408, out.text);
      assertEnvelope(envelope, res.body, 'request_timeout');
    }
    const counts = await auditCounts(gw.info.databaseUrl!, ids);
    assert.deepEqual(ids.filter((id) => counts[id] !== 1), [], 'each refused generation request audited exactly once');
  });

  it('headers that never finish time out with a 408 as well', async () => {
    const out = await rawExchange(gw.info.inferenceUrl!, ['POST /v1/messages HTTP/1.1\r\nhost: x\r\n', ...Array.from({ length: 20 }, () => 'x-a: b\r\n')], { waitMs: 5000, gapMs: 300 });
    assert.equal(out.end, 'closed');
    assert.ok(out.ms < 3500, `closed after ${out.ms} ms`);
    assert.equal(parseRaw(out.text).status, 408, out.text);
  });

  const streams = [
    { path: '/v1/chat/completions', body: { model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'hi' }] }, marker: 'data: [DONE]' },
    { path: '/v1/responses', body: { model: 'fake-model', stream: true, input: 'hi' }, marker: 'event: response.completed' },
    { path: '/v1/messages', body: { model: 'fake-model', stream: true, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, marker: 'event: message_stop' },
  ];

  it('Connection: close is honoured on streams: the socket closes right after the last event (reproducer 13)', async () => {
    for (const { path, body, marker } of streams) {
      const out = await rawExchange(gw.info.inferenceUrl!, [rawRequest('POST', path, { ...auth, connection: 'close' }, JSON.stringify(body))], { waitMs: 5000, marker });
      assert.match(out.text, /^HTTP\/1\.1 200/);
      assert.match(out.text, /\r\nconnection: close\r\n/i);
      assert.ok(out.afterMarkerMs !== undefined, `${path}: no ${marker}`);
      assert.equal(out.end, 'closed', `${path}: socket still ${out.end} ${out.afterMarkerMs} ms after ${marker}`);
      assert.ok(out.afterMarkerMs < 1000, `${path}: closed ${out.afterMarkerMs} ms after ${marker}`);
    }
  });

  it('a stream longer than the request timeout is not cut, and keep-alive stays the default', async () => {
    const body = JSON.stringify({ model: 'fake-long', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const out = await rawExchange(gw.info.inferenceUrl!, [rawRequest('POST', '/v1/chat/completions', auth, body)], { waitMs: 15_000, marker: 'data: [DONE]', afterMarkerMs: 1000 });
    assert.ok(out.afterMarkerMs !== undefined, `no [DONE] after ${out.ms} ms (${out.end}): ${out.text.slice(-300)}`);
    const lasted = out.ms - out.afterMarkerMs;
    assert.ok(lasted > REQUEST_TIMEOUT_MS + 1000, `the stream lasted ${lasted} ms, not longer than the request timeout`);
    assert.equal((out.text.match(/data: \{/g) ?? []).length > 100, true);
    assert.match(out.text, /\r\nconnection: keep-alive\r\n/i);
    assert.equal(out.end, 'open', 'a keep-alive connection stays open after the stream');
  });
});
