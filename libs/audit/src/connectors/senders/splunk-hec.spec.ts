import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseConnectorConfig } from '../connector-config';
import type { SplunkHecConfig } from '../connector.types';
import { policyEventPayload } from '../payload';
import { HEC_BUSY_ANSWER, makeEvents, splitConcatenatedJson, startSplunkReceiver, type SplunkReceiver } from '../testing/receivers';
import { hecBody, sendSplunkHec } from './splunk-hec';

const TOKEN = '11111111-2222-3333-4444-555555555555';
const events = makeEvents(3);

describe('Splunk HEC sender', () => {
  let rx: SplunkReceiver;
  let config: SplunkHecConfig;
  before(async () => {
    rx = await startSplunkReceiver({ token: TOKEN });
  });
  after(() => rx.close());
  beforeEach(() => {
    rx.batches.length = 0;
    rx.faults.reset();
    config = parseConnectorConfig('splunk_hec', { url: rx.url, token: TOKEN, index: 'ai_audit', timeout_ms: 2_000 });
  });

  it('posts a batch of 3 in one request in the HEC batch format, exactly as the receiver parses it', async () => {
    const before = rx.requests;
    assert.deepEqual(await sendSplunkHec(config, events), { ok: true, delivered: 3 });
    assert.equal(rx.requests - before, 1);
    assert.deepEqual(
      rx.batches[0],
      events.map((e) => ({
        time: Date.parse(e.occurred_at) / 1000,
        source: 'policy-gateway',
        sourcetype: '_json',
        index: 'ai_audit',
        event: JSON.parse(JSON.stringify(policyEventPayload(e))),
      })),
    );
    assert.equal(rx.batches[0][0].time, 1776709801.123, 'epoch seconds with milliseconds');
  });

  it('separates events by newlines and leaves out an unset index', () => {
    const body = hecBody({ ...config, index: undefined }, events);
    const lines = body.split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => !('index' in (JSON.parse(l) as object))));
    assert.deepEqual(splitConcatenatedJson(body), lines.map((l) => JSON.parse(l)));
  });

  it('a wrong token is refused for good, and the error does not quote it', async () => {
    const r = await sendSplunkHec({ ...config, token: 'wrong-token-0000' }, events);
    assert.deepEqual(r, { ok: false, delivered: 0, retryable: false, status: 403, error: `HTTP 403 from ${rx.origin}: HEC code 4 (invalid token)` });
    assert.equal(rx.batches.length, 0);
  });

  it('code 9 (server busy) is retryable, with a 503 or even with a 200', async () => {
    rx.faults.failNext(1, HEC_BUSY_ANSWER);
    const busy = await sendSplunkHec(config, events);
    assert.deepEqual([busy.ok, !busy.ok && busy.retryable, !busy.ok && busy.status], [false, true, 503]);
    rx.faults.failNext(1, { status: 200, body: { text: 'Server is busy', code: 9 } });
    const busy200 = await sendSplunkHec(config, events);
    assert.deepEqual(busy200, { ok: false, delivered: 0, retryable: true, status: 200, error: `HEC code 9 (server is busy) from ${rx.origin}` });
    assert.deepEqual(await sendSplunkHec(config, events), { ok: true, delivered: 3 });
  });

  it('other non-zero codes are failures; 5xx retryable, 4xx not; an answer that is no acknowledgement is refused', async () => {
    const cases: Array<[{ status: number; body: unknown }, boolean]> = [
      [{ status: 200, body: { text: 'Incorrect index', code: 7 } }, false],
      [{ status: 400, body: { text: 'Invalid data format', code: 6 } }, false],
      [{ status: 500, body: { text: 'Internal server error', code: 8 } }, true],
      [{ status: 200, body: '<html>proxy login</html>' }, false],
    ];
    for (const [fault, retryable] of cases) {
      rx.faults.failNext(1, fault);
      const r = await sendSplunkHec(config, events);
      assert.deepEqual([r.ok, !r.ok && r.retryable], [false, retryable], JSON.stringify(fault));
    }
    assert.equal(rx.batches.length, 0);
  });
});
