import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import { GatewayErrorCode, type GatewayError } from '../../errors/gateway-error';
import {
  AnthropicBag,
  canonical,
  collect,
  config,
  expectGatewayError,
  providerRequest,
  SECRET,
  startFakeAnthropic,
  withTimeout,
  type FakeAnthropic,
} from './anthropic.spec-helpers';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

void describe('AnthropicProvider: failures, timeouts and aborts', () => {
  let fake: FakeAnthropic;
  const bag = new AnthropicBag();
  before(async () => {
    fake = await startFakeAnthropic({ chunkIntervalMs: 20 });
  });
  afterEach(() => bag.closeAll());
  after(() => fake.close());

  const streamReq = (model: string, signal?: AbortSignal) => providerRequest(canonical({ stream: true }), signal, model);
  const plainReq = (model: string, signal?: AbortSignal) => providerRequest(canonical(), signal, model);

  const table: Array<[string, GatewayErrorCode, number, RegExp]> = [
    ['fail-400', GatewayErrorCode.InvalidRequest, 400, /^messages\.0\.content: fake rejection\.$/],
    ['fail-401', GatewayErrorCode.UpstreamError, 502, /^Upstream 'fake-anth' rejected the gateway's credentials \(HTTP 401\)/],
    ['fail-403', GatewayErrorCode.UpstreamError, 502, /rejected the gateway's credentials \(HTTP 403\)/],
    ['fail-404', GatewayErrorCode.NotFound, 404, /^The model 'abliterated-model' does not exist/],
    ['fail-413', GatewayErrorCode.PayloadTooLarge, 413, /maximum allowed number of bytes/],
    ['fail-429', GatewayErrorCode.UpstreamOverloaded, 429, /is rate limiting/],
    ['fail-500', GatewayErrorCode.UpstreamError, 502, /^Upstream 'fake-anth' failed \(HTTP 500\): Internal server error/],
    ['fail-503', GatewayErrorCode.UpstreamOverloaded, 529, /is overloaded/],
    ['fail-529', GatewayErrorCode.UpstreamOverloaded, 529, /is overloaded: Overloaded \(fake\)/],
  ];
  void it('maps HTTP failures to GatewayErrors (complete and stream), never repeating the API key', async () => {
    const provider = bag.make(config(fake.url));
    for (const [model, code, status, message] of table) {
      const errs: GatewayError[] = [
        await expectGatewayError(provider.complete(plainReq(model)), code, status),
        // A stream fails before its first event: thrown, not yielded.
        await expectGatewayError(collect(provider.stream(streamReq(model))), code, status),
      ];
      for (const err of errs) {
        assert.match(err.message, message, model);
        assert.ok(!err.message.includes(SECRET) && !JSON.stringify(err).includes(SECRET), model);
      }
    }
    const e400 = await expectGatewayError(provider.complete(plainReq('fail-400')), GatewayErrorCode.InvalidRequest);
    assert.equal(e400.wireCode, 'invalid_request_error');
    const e404 = await expectGatewayError(provider.complete(plainReq('fail-404')), GatewayErrorCode.NotFound);
    assert.deepEqual([e404.wireCode, e404.param], ['model_not_found', 'model']);
    assert.ok(!e404.message.includes('fake-upstream-model-name'));
  });

  void it('redacts the key an upstream echoes back', async () => {
    const provider = bag.make(config(fake.url));
    const err = await expectGatewayError(provider.complete(plainReq('fail-401')), GatewayErrorCode.UpstreamError, 502);
    assert.equal(fake.requests.at(-1)!.headers['x-api-key'], SECRET);
    assert.ok(fake.requests.at(-1)!.rawBody.indexOf(SECRET) === -1);
    assert.match(err.message, /invalid x-api-key: \[redacted\]/);
  });

  void it('reports an unreachable upstream as 502 UpstreamUnavailable', async () => {
    const provider = bag.make(config(`http://127.0.0.1:${await freePort()}`));
    const err = await expectGatewayError(provider.complete(plainReq('ok')), GatewayErrorCode.UpstreamUnavailable, 502);
    assert.match(err.message, /^Upstream 'fake-anth' is unreachable: .*ECONNREFUSED/);
    await expectGatewayError(collect(provider.stream(streamReq('ok'))), GatewayErrorCode.UpstreamUnavailable, 502);
  });

  void it('times out a hanging upstream with 504 and closes the connection; a stalled stream yields the timeout', async () => {
    const provider = bag.make(config(fake.url, { timeout_ms: 300 }));
    const t0 = performance.now();
    const err = await withTimeout(expectGatewayError(provider.complete(plainReq('hang')), GatewayErrorCode.UpstreamTimeout, 504), 3_000, 'hang');
    const took = performance.now() - t0;
    assert.equal(err.message, "Upstream 'fake-anth' did not answer within 300 ms");
    assert.ok(took >= 250 && took < 1_500, `took ${took} ms`);
    const rec = fake.requests.at(-1)!;
    await withTimeout(rec.closed, 500, 'upstream socket close');
    assert.equal(rec.aborted, true);
    const events = await withTimeout(collect(provider.stream(streamReq('hang-body'))), 3_000, 'hang-body');
    assert.equal(events[0]?.type, 'message_start');
    const last = events.at(-1)!;
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.UpstreamTimeout);
  });

  void it('aborts the upstream request at once when the caller signal fires mid-stream', async () => {
    const provider = bag.make(config(fake.url));
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
    assert.equal(last.type === 'error' && last.error.code, GatewayErrorCode.ClientClosed);
    assert.ok(seen.filter((e) => e.type === 'text_delta').length < 10);
  });

  void it('closes the upstream socket when the consumer stops iterating', async () => {
    const provider = bag.make(config(fake.url));
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

  void it('aborts a waiting non-streaming call when the caller signal fires, and never sends an aborted one', async () => {
    const provider = bag.make(config(fake.url));
    const ctl = new AbortController();
    const pending = provider.complete(plainReq('hang', ctl.signal));
    const rec = await fake.waitForRequest((r) => r.body?.model === 'hang' && r.closedAt === undefined);
    const abortedAt = performance.now();
    ctl.abort();
    await expectGatewayError(pending, GatewayErrorCode.ClientClosed, 499);
    await withTimeout(rec.closed, 1_000, 'upstream socket close');
    assert.ok(rec.closedAt! - abortedAt < 200);
    const count = fake.requests.length;
    await expectGatewayError(provider.complete(plainReq('ok', ctl.signal)), GatewayErrorCode.ClientClosed, 499);
    assert.equal(fake.requests.length, count);
  });

  void it('turns mid-stream failures into one error event, then ends', async () => {
    const provider = bag.make(config(fake.url));
    for (const [model, code] of [
      ['error-mid-stream', GatewayErrorCode.UpstreamOverloaded],
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
