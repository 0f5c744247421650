import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startFakeOtlp, startFakeUpstream, type FakeOtlp, type FakeUpstream, type ReceivedSpan } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { e2eCatalog } from '../support/e2e-modes';
import { startGateway, type GatewayProcess } from '../support/gateway-process';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const PROMPT = 'tracing-canary-prompt-5519 tell me a story';
const POLICY = { policy_id: 'trace-policy', config: { rules: { denylist: ['never said'], enforcement_action: 'block' } } };

async function spansOf(otlp: FakeOtlp, traceId: string, count: number): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spans = otlp.spans.filter((s) => s.traceId === traceId);
    if (spans.length >= count || Date.now() > deadline) return spans;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Issue 13: the span tree of one chat stream, as a local OTLP receiver got it. */
describe('OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT, DATABASE_URL + Redis)', () => {
  let fake: FakeUpstream;
  let otlp: FakeOtlp;
  let gw: GatewayProcess;
  let key: string;

  before(async () => {
    fake = await startFakeUpstream();
    otlp = await startFakeOtlp();
    const dbUrl = await freshDatabase('gw_e2e_tracing_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(12), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'gw-under-test' });
    key = (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 't', '--email', 't@example.com', '--credits', '100000'])).api_key.key;
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    await otlp?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('one stream: a server span under the caller\'s traceparent, with admission, policy and upstream children; the upstream gets the trace', async () => {
    const client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/policy/v1`, apiKey: key, maxRetries: 0, defaultHeaders: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } });
    const stream = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: PROMPT }], stream: true, stream_options: { include_usage: true }, policy: POLICY } as never);
    for await (const _ of stream as unknown as AsyncIterable<unknown>) void _;

    const spans = await spansOf(otlp, TRACE_ID, 4);
    const root = spans.find((s) => s.parentSpanId === CALLER_SPAN);
    assert.ok(root, JSON.stringify(spans, null, 1));
    assert.equal(root.kind, 2, 'SERVER');
    assert.equal(root.name, 'chat stream fake-model');
    assert.equal(root.resource['service.name'], 'gw-under-test');
    const a = root.attributes;
    assert.equal(a['gen_ai.operation.name'], 'chat');
    assert.equal(a['gen_ai.request.model'], 'fake-model');
    assert.equal(a['gen_ai.provider.name'], 'fake');
    assert.ok(Number(a['gen_ai.usage.input_tokens']) > 0 && Number(a['gen_ai.usage.output_tokens']) > 0, JSON.stringify(a));
    assert.equal(a['http.response.status_code'], 200);
    assert.equal(a['url.path'], '/policy/v1/chat/completions');

    const children = spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name).sort();
    assert.deepEqual(children, ['gateway.admission', 'gateway.policy.pre', 'gateway.upstream']);
    const upstreamSpan = spans.find((s) => s.name === 'gateway.upstream')!;
    assert.equal(upstreamSpan.kind, 3, 'CLIENT');

    // The upstream call carries the trace, with the gateway's upstream span as its parent.
    const call = fake.requests.find((r) => r.path.startsWith('/v1/chat/completions'));
    assert.equal(call?.headers.traceparent, `00-${TRACE_ID}-${upstreamSpan.spanId}-01`);

    // Never the prompt, the output or the key.
    const exported = otlp.bodies.join('\n');
    for (const secret of [PROMPT, 'tracing-canary', key, key.slice(3, 15)]) assert.ok(!exported.includes(secret), `exported ${secret.slice(0, 10)}…`);
  });

  it('a request without traceparent starts its own trace; a refused one ends with an error status', async () => {
    const client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: key, maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'fake-500', messages: [{ role: 'user', content: 'x' }] }));
    const deadline = Date.now() + 10_000;
    let root: ReceivedSpan | undefined;
    while (!root && Date.now() < deadline) {
      root = otlp.spans.find((s) => s.name === 'chat fake-500' && s.parentSpanId === '');
      if (!root) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(root, JSON.stringify(otlp.spans.map((s) => s.name)));
    assert.equal(root.status.code, 2, 'ERROR');
    assert.equal(root.attributes['http.response.status_code'], 502);
    assert.equal(root.attributes['error.type'], 'upstream_error');
  });
});
