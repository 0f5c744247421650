import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { e2eCatalog } from '../support/e2e-modes';
import { startGateway, TEST_JWT_SECRET, type GatewayProcess } from '../support/gateway-process';

const PROMPT = 'metrics-canary-prompt-7731 tell me a story';
const DENY = { policy_id: 'metrics-deny', config: { rules: { denylist: ['forbidden phrase'], enforcement_action: 'block' } } };

/** `name{labels} value` lines of a Prometheus text scrape: the value of the one series whose labels include `want`. */
function value(text: string, name: string, want: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(want).every(([k, v]) => labels[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/**
 * Issue 13: traffic of known shape, then `/metrics` on both apps, asserted exactly (counts, histogram counts), and
 * scraped for every secret and prompt the traffic used.
 */
describe('/metrics: exact counts after known traffic (DATABASE_URL + Redis)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let key: string;
  let brokeKey: string;

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_e2e_metrics_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(13), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)) });
    key = (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'm', '--email', 'm@example.com', '--credits', '100000'])).api_key.key;
    brokeKey = (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'broke', '--email', 'b@example.com'])).api_key.key;
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('counts requests, latency shares, TTFT, upstream errors, refusals, policy decisions and audit rows exactly', async () => {
    const client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: key, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: PROMPT }];
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'fake-model', messages });
    for (let i = 0; i < 2; i++) for await (const _ of await client.chat.completions.create({ model: 'fake-model', messages, stream: true })) void _;
    await assert.rejects(client.chat.completions.create({ model: 'fake-500', messages }));
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: brokeKey, maxRetries: 0 }).chat.completions.create({ model: 'fake-model', messages }));
    const policy = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/policy/v1`, apiKey: key, maxRetries: 0 });
    await policy.chat.completions.create({ model: 'fake-model', messages, policy: DENY } as never);
    await assert.rejects(policy.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'the forbidden phrase' }], policy: DENY } as never));

    // Content classifiers: the built-in lexicon answers; a policy naming one this gateway lacks fails (closed: 503).
    const classified = (classifier: string) => ({ policy_id: `metrics-${classifier}`, config: { rules: { flagged_categories: ['violence'], enforcement_action: 'block', classifier } } });
    await policy.chat.completions.create({ model: 'fake-model', messages, policy: classified('builtin') } as never);
    await assert.rejects(policy.chat.completions.create({ model: 'fake-model', messages, policy: classified('guard') } as never));

    const res = await fetch(`${gw.info.inferenceUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    const chat = { surface: 'chat.completions' };
    assert.equal(value(text, 'gateway_requests_total', { ...chat, status: '200', model: 'fake-model' }), 7, text);
    assert.equal(value(text, 'gateway_requests_total', { ...chat, status: '502' }), 1);
    assert.equal(value(text, 'gateway_requests_total', { ...chat, status: '404', model: 'unknown' }), 1);
    assert.equal(value(text, 'gateway_requests_total', { ...chat, status: '402' }), 1);
    // A policy refusal and a classifier that fails closed, before the model was called: counted under the model.
    assert.equal(value(text, 'gateway_requests_total', { ...chat, status: '403', model: 'fake-model' }), 2);
    assert.equal(value(text, 'gateway_requests_total'), 12);
    assert.equal(value(text, 'gateway_request_duration_seconds_count'), 12);
    // Every call that reached the upstream has its upstream time and the gateway's own share: 7 served + the 502.
    assert.equal(value(text, 'gateway_overhead_seconds_count', chat), 8);
    assert.equal(value(text, 'gateway_upstream_duration_seconds_count', { provider: 'fake' }), 8);
    assert.equal(value(text, 'gateway_ttft_seconds_count', chat), 2);
    // Admission's round trip: the 8 that reached the upstream and the one credits refused (402); not the unknown
    // model nor the two policy refusals, which never asked for credits.
    assert.equal(value(text, 'gateway_admission_seconds_count', chat), 9);
    assert.equal(value(text, 'gateway_upstream_errors_total', { provider: 'fake', kind: 'upstream_error' }), 1);
    assert.equal(value(text, 'gateway_upstream_errors_total'), 1);
    assert.equal(value(text, 'gateway_refusals_total', { reason: 'credits' }), 1);
    assert.equal(value(text, 'gateway_policy_decisions_total', { decision: 'allow' }), 2);
    assert.equal(value(text, 'gateway_policy_decisions_total', { decision: 'refuse', enforced: 'true' }), 2);
    assert.equal(value(text, 'gateway_rate_limit_fail_open_total'), 0);
    assert.equal(value(text, 'gateway_classifier_duration_seconds_count', { classifier: 'builtin', status: 'ok' }), 1);
    assert.equal(value(text, 'gateway_classifier_duration_seconds_count', { classifier: 'guard', status: 'failed' }), 1);
    assert.ok(value(text, 'gateway_process_resident_memory_bytes') > 0);

    // The control plane: every request's audit row written (12), queue depths per state.
    let control = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      control = await (await fetch(`${gw.info.controlUrl}/metrics`)).text();
      if (value(control, 'gateway_audit_rows_written_total') >= 12) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(value(control, 'gateway_audit_rows_written_total'), 12, control);
    assert.equal(value(control, 'gateway_audit_lag_seconds_count'), 12);
    for (const queue of ['audit', 'billing', 'audit-connector']) assert.match(control, new RegExp(`gateway_queue_jobs\\{queue="${queue}",state="failed"\\} 0`), control);
    assert.match(control, /gateway_queue_lag_seconds\{queue="audit"\} /);

    // Nothing secret or private in either scrape.
    for (const body of [text, control]) {
      for (const secret of [key, brokeKey, key.slice(3, 15), PROMPT, 'metrics-canary', 'forbidden phrase', TEST_JWT_SECRET, 'sk-upstream-secret']) {
        assert.ok(!body.includes(secret), `a scrape holds ${secret.slice(0, 12)}…`);
      }
    }
  });

  it('is reachable without credentials on both apps, and answers 404 when METRICS_ENABLED=false', async () => {
    const off = await startGateway({ DATABASE_URL: await freshDatabase('gw_e2e_metrics_off_test'), REDIS_URL: await freshRedis(13), METRICS_ENABLED: 'false' });
    try {
      assert.equal((await fetch(`${off.info.inferenceUrl}/metrics`)).status, 404);
      assert.equal((await fetch(`${off.info.controlUrl}/metrics`)).status, 404);
    } finally {
      assert.equal(await off.stop(), 0);
    }
  });
});
