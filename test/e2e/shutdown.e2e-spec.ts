import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway } from '../support/gateway-process';

describe('graceful shutdown (DATABASE_URL + Redis)', () => {
  let fake: FakeUpstream;
  let env: Record<string, string>;
  let apiKey: string;

  before(async () => {
    fake = await startFakeUpstream({ slowChunks: 10, chunkIntervalMs: 100 });
    env = {
      DATABASE_URL: await freshDatabase('gw_e2e_shutdown_test'),
      REDIS_URL: await freshRedis(6),
      UPSTREAM_BASE_URL: `${fake.url}/v1`,
      UPSTREAM_MODEL: 'slow-stream',
      SHUTDOWN_GRACE_MS: '5000',
    };
    apiKey = (await bootstrapCli({ DATABASE_URL: env.DATABASE_URL }, ['--org', 'e2e', '--email', 'e2e@example.com', '--credits', '1000'])).api_key.key;
  });

  after(async () => {
    await fake?.close();
  });

  /** Opens a chat stream of the slow fake upstream (10 chunks, 100 ms apart). */
  async function openStream(inferenceUrl: string) {
    const res = await fetch(`${inferenceUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ model: 'abliterated-model', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    return { requestId: res.headers.get('x-request-id')!, reader: res.body!.getReader() };
  }

  it('lets an in-flight stream finish on SIGTERM, exits 0 and loses no audit record', async () => {
    const gw = await startGateway(env);
    const { requestId, reader } = await openStream(gw.info.inferenceUrl!);
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    const ready = await fetch(`${gw.info.inferenceUrl}/health/ready`);
    assert.equal(ready.status, 200);
    const exit = gw.stop('SIGTERM');
    // Readiness fails as soon as draining starts, while the stream is still being served.
    const draining = await pollReady(gw.info.inferenceUrl!);
    assert.deepEqual(draining, { status: 503, body: { status: 'draining', checks: [] } });
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
    assert.equal(await exit, 0, gw.output());
    assert.match(text, /data: \[DONE\]\n\n$/);
    const contentChunks = text.split('\n\n').filter((f) => f.includes('"content":"') && !f.includes('"role"'));
    assert.equal(contentChunks.length, 10);

    // The record is durable in the queue even if the worker stopped before writing it: a control
    // plane started later drains it.
    const control = await startGateway({ ...env, GATEWAY_ROLE: 'control' });
    try {
      const rows = await waitForRows<{ status: string; output_tokens: number }>(
        env.DATABASE_URL,
        'SELECT status, output_tokens FROM audit_event WHERE request_id = $1',
        [requestId],
        1,
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0].status, 'ok');
    } finally {
      assert.equal(await control.stop(), 0);
    }
  });

  it('writes exactly one access-log line per request, a stream the client cut included', async () => {
    const gw = await startGateway({ ...env, LOG_LEVEL: 'info' });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
    const body = JSON.stringify({ model: 'abliterated-model', stream: true, messages: [{ role: 'user', content: 'go' }] });
    const ac = new AbortController();
    const cut = await fetch(`${gw.info.inferenceUrl}/v1/chat/completions`, { method: 'POST', headers, body, signal: ac.signal });
    const cutId = cut.headers.get('x-request-id')!;
    await cut.body!.getReader().read();
    ac.abort();
    const whole = await fetch(`${gw.info.inferenceUrl}/v1/models`, { headers });
    await whole.text();
    const wholeId = whole.headers.get('x-request-id')!;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await gw.stop(), 0, gw.output());
    const lines = gw
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; reqId?: string; status?: number; aborted?: boolean })
      .filter((l) => l.msg === 'request');
    const cutLines = lines.filter((l) => l.reqId === cutId);
    assert.equal(cutLines.length, 1, JSON.stringify(lines));
    assert.equal(cutLines[0].status, 200);
    assert.equal(cutLines[0].aborted, true);
    const wholeLines = lines.filter((l) => l.reqId === wholeId);
    assert.equal(wholeLines.length, 1, JSON.stringify(lines));
    assert.equal(wholeLines[0].aborted, undefined);
  });

  it('cuts a stream that outlives the grace, names it in the log, and times every step of the stop', async () => {
    const gw = await startGateway({ ...env, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '200' });
    const { requestId, reader } = await openStream(gw.info.inferenceUrl!);
    await reader.read(); // the stream is open: 10 chunks over ~1 s, five times the grace
    assert.equal(await gw.stop(), 0, gw.output());
    const logs = gw
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; cut?: number; stragglers?: { requestId: string; surface: string; ageMs: number }[]; phases?: Record<string, number> });
    const cut = logs.find((l) => l.msg === 'requests still in flight after the grace period were cut');
    assert.equal(cut?.cut, 1, gw.output());
    assert.equal(cut?.stragglers?.[0]?.requestId, requestId);
    assert.equal(cut?.stragglers?.[0]?.surface, 'chat.completions');
    assert.ok((cut?.stragglers?.[0]?.ageMs ?? 0) >= 200);
    const stopped = logs.find((l) => l.msg === 'stopped');
    assert.ok(stopped?.phases, gw.output());
    assert.ok(stopped.phases.drain >= 200 && stopped.phases.drain < 2_000, `drain took ${stopped.phases.drain} ms`);
    for (const step of ['close inference', 'stop catalog', 'stop database pool']) assert.equal(typeof stopped.phases[step], 'number', step);
  });
});

/** Polls readiness until it is no longer 200 (draining has begun), for up to 2 s. */
async function pollReady(url: string): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + 2_000;
  for (;;) {
    const res = await fetch(`${url}/health/ready`);
    const body: unknown = await res.json();
    if (res.status !== 200 || Date.now() > deadline) return { status: res.status, body };
    await new Promise((r) => setTimeout(r, 20));
  }
}
