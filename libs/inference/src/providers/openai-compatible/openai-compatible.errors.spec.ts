import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import { GatewayErrorCode } from '../../errors/gateway-error';
import {
  canonical,
  collect,
  config,
  expectGatewayError,
  ProviderBag,
  providerRequest,
  SECRET,
  withTimeout,
} from './provider.spec-helpers';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

void describe('OpenAICompatibleProvider: failures, timeouts and aborts', () => {
  let fake: FakeUpstream;
  const bag = new ProviderBag();
  before(async () => {
    fake = await startFakeUpstream({ chunkIntervalMs: 20 });
  });
  afterEach(() => bag.closeAll());
  after(() => fake.close());

  const streamReq = (model: string, signal?: AbortSignal) => providerRequest(canonical({ stream: true }), signal, model);
  const plainReq = (model: string, signal?: AbortSignal) => providerRequest(canonical(), signal, model);

  void it('maps upstream 500 to a 502 UpstreamError carrying the upstream message (complete and stream)', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const err = await expectGatewayError(provider.complete(plainReq('fail-500')), GatewayErrorCode.UpstreamError, 502);
    assert.match(err.message, /fake-up/);
    assert.match(err.message, /The fake upstream failed\./);
    // A stream fails before its first event: thrown, not yielded.
    await expectGatewayError(collect(provider.stream(streamReq('fail-500'))), GatewayErrorCode.UpstreamError, 502);
  });

  void it('passes 4xx statuses and messages through, and maps overload', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const e400 = await expectGatewayError(provider.complete(plainReq('fail-400')), GatewayErrorCode.InvalidRequest, 400);
    assert.equal(e400.message, "Invalid value for 'temperature' (fake rejection).");
    assert.equal(e400.param, 'temperature');
    assert.equal(e400.wireCode, 'invalid_value');
    await expectGatewayError(provider.complete(plainReq('fail-404')), GatewayErrorCode.NotFound, 404);
    await expectGatewayError(collect(provider.stream(streamReq('fail-422'))), GatewayErrorCode.InvalidRequest, 422);
    await expectGatewayError(provider.complete(plainReq('fail-429')), GatewayErrorCode.UpstreamOverloaded, 429);
    await expectGatewayError(provider.complete(plainReq('fail-503')), GatewayErrorCode.UpstreamOverloaded, 529);
  });

  void it('sends the key as Bearer and never repeats it in errors', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const err = await expectGatewayError(provider.complete(plainReq('fail-401')), GatewayErrorCode.UpstreamError, 502);
    assert.equal(fake.requests.at(-1)!.headers.authorization, `Bearer ${SECRET}`);
    assert.ok(fake.requests.at(-1)!.rawBody.indexOf(SECRET) === -1);
    assert.ok(!err.message.includes(SECRET), err.message);
    assert.match(err.message, /\[redacted\]/);
    assert.ok(!JSON.stringify(err).includes(SECRET));
  });

  void it('reports an unreachable upstream as 502 UpstreamUnavailable', async () => {
    const port = await freePort();
    const provider = bag.make(config(`http://127.0.0.1:${port}/v1`));
    const err = await expectGatewayError(provider.complete(plainReq('m')), GatewayErrorCode.UpstreamUnavailable, 502);
    assert.match(err.message, /^Upstream 'fake-up' is unreachable: .*ECONNREFUSED/);
    assert.ok(!err.message.includes(SECRET));
    await expectGatewayError(collect(provider.stream(streamReq('m'))), GatewayErrorCode.UpstreamUnavailable, 502);
  });

  void it('times out a hanging upstream with 504 UpstreamTimeout and closes the connection', async () => {
    const provider = bag.make(config(`${fake.url}/v1`, { timeout_ms: 300 }));
    const t0 = performance.now();
    const err = await withTimeout(
      expectGatewayError(provider.complete(plainReq('hang')), GatewayErrorCode.UpstreamTimeout, 504),
      3_000,
      'hang',
    );
    const took = performance.now() - t0;
    assert.equal(err.message, "Upstream 'fake-up' did not answer within 300 ms");
    assert.ok(took >= 250 && took < 1_500, `took ${took} ms`);
    const rec = fake.requests.at(-1)!;
    await withTimeout(rec.closed, 500, 'upstream socket close');
    assert.equal(rec.aborted, true);
  });

  void it('yields a timeout error event when the stream stalls after it began', async () => {
    const provider = bag.make(config(`${fake.url}/v1`, { timeout_ms: 300 }));
    const events = await withTimeout(collect(provider.stream(streamReq('hang-body'))), 3_000, 'hang-body');
    assert.equal(events[0]?.type, 'message_start');
    const last = events.at(-1)!;
    assert.equal(last.type, 'error');
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.UpstreamTimeout);
  });

  void it('aborts the upstream request at once when the caller signal fires mid-stream', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const ctl = new AbortController();
    const seen: CanonicalEvent[] = [];
    let abortedAt = 0;
    const consume = (async () => {
      for await (const ev of provider.stream(streamReq('slow-stream', ctl.signal))) {
        seen.push(ev);
        if (seen.filter((e) => e.type === 'text_delta').length === 3 && abortedAt === 0) {
          abortedAt = performance.now();
          ctl.abort();
        }
      }
    })();
    await withTimeout(consume, 3_000, 'stream after abort');
    const rec = fake.requests.at(-1)!;
    await withTimeout(rec.closed, 1_000, 'upstream socket close');
    assert.equal(rec.aborted, true);
    assert.ok(rec.closedAt! - abortedAt < 200, `upstream saw the close ${rec.closedAt! - abortedAt} ms after abort`);
    const last = seen.at(-1)!;
    assert.equal(last.type, 'error');
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.ClientClosed);
    assert.ok(seen.filter((e) => e.type === 'text_delta').length < 10);
  });

  void it('closes the upstream socket when the consumer stops iterating', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    let stoppedAt = 0;
    for await (const ev of provider.stream(streamReq('slow-stream'))) {
      if (ev.type === 'text_delta') {
        stoppedAt = performance.now();
        break;
      }
    }
    const rec = fake.requests.at(-1)!;
    await withTimeout(rec.closed, 1_000, 'upstream socket close');
    assert.equal(rec.aborted, true);
    assert.ok(rec.closedAt! - stoppedAt < 200);
  });

  void it('aborts a waiting non-streaming call when the caller signal fires', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    const ctl = new AbortController();
    const pending = provider.complete(plainReq('hang', ctl.signal));
    const rec = await fake.waitForRequest((r) => r.body?.model === 'hang' && r.closedAt === undefined);
    const abortedAt = performance.now();
    ctl.abort();
    await expectGatewayError(pending, GatewayErrorCode.ClientClosed, 499);
    await withTimeout(rec.closed, 1_000, 'upstream socket close');
    assert.ok(rec.closedAt! - abortedAt < 200);
    // An already-aborted signal never reaches the upstream.
    const count = fake.requests.length;
    await expectGatewayError(provider.complete(plainReq('ok', ctl.signal)), GatewayErrorCode.ClientClosed, 499);
    assert.equal(fake.requests.length, count);
  });

  void it('turns mid-stream failures into one error event, then ends', async () => {
    const provider = bag.make(config(`${fake.url}/v1`));
    for (const [model, code] of [
      ['error-mid-stream', GatewayErrorCode.UpstreamError],
      ['drop-mid-stream', GatewayErrorCode.UpstreamError],
      ['bad-json', GatewayErrorCode.UpstreamError],
    ] as const) {
      const events = await withTimeout(collect(provider.stream(streamReq(model))), 3_000, model);
      assert.equal(events[0]?.type, 'message_start', model);
      assert.equal(events.filter((e) => e.type === 'error').length, 1, model);
      const last = events.at(-1)!;
      assert.equal(last.type === 'error' && last.error.code, code, model);
    }
    const err = await expectGatewayError(provider.complete(plainReq('bad-json')), GatewayErrorCode.UpstreamError, 502);
    assert.match(err.message, /invalid response/);
    await expectGatewayError(provider.complete(plainReq('drop-mid-stream')), GatewayErrorCode.UpstreamError, 502);
  });
});
