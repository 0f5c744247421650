import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseConnectorConfig } from '../connector-config';
import type { DeliveryResult, WebhookConfig } from '../connector.types';
import { policyEventPayload } from '../payload';
import { makeEvents, startWebhookReceiver, type WebhookReceiver } from '../testing/receivers';
import { sendWebhook } from './webhook';

const SECRET = 'whsec_test_0123456789abcdef';
const events = makeEvents(3);
/** What a receiver parses from a payload: its JSON round trip. */
const wire = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('webhook sender', () => {
  let rx: WebhookReceiver;
  let config: WebhookConfig;
  before(async () => {
    rx = await startWebhookReceiver({ secret: SECRET });
  });
  after(() => rx.close());
  beforeEach(() => {
    rx.reset();
    config = parseConnectorConfig('webhook', { url: rx.url, secret: SECRET, headers: { authorization: 'Bearer team-token-123' }, timeout_ms: 2_000 });
  });

  it('posts each event of a batch, signed, in order, exactly as the receiver parses it', async () => {
    const before = rx.requests;
    assert.deepEqual(await sendWebhook(config, events), { ok: true, delivered: 3 });
    assert.equal(rx.requests - before, 3, 'one POST per event');
    assert.deepEqual(rx.events, events.map((e) => wire(policyEventPayload(e))));
    assert.deepEqual(rx.refused, []);
    const h = rx.deliveries[0].headers;
    assert.equal(h['x-gateway-event-id'], events[0].event_id);
    assert.match(String(h['x-gateway-signature']), /^v1=[0-9a-f]{64}$/);
    assert.ok(Math.abs(Number(h['x-gateway-timestamp']) - Date.now() / 1000) < 5);
    assert.equal(h.authorization, 'Bearer team-token-123', "the connector's headers are sent");
  });

  it('is refused by the receiver when signed with another secret', async () => {
    const r = await sendWebhook({ ...config, secret: 'another_secret_0123456789' }, events);
    assert.deepEqual(r, { ok: false, delivered: 0, retryable: false, status: 401, error: `HTTP 401 from ${rx.origin}` });
    assert.deepEqual(rx.refused, ['signature']);
    assert.equal(rx.events.length, 0);
  });

  it('is refused by the receiver when the timestamp is outside the 5-minute window', async () => {
    const sixMinutesAgo = () => Date.now() - 6 * 60_000;
    const r = await sendWebhook(config, events.slice(0, 1), undefined, sixMinutesAgo);
    assert.equal(r.ok, false);
    assert.deepEqual(rx.refused, ['timestamp']);
    const fourMinutesAgo = () => Date.now() - 4 * 60_000;
    assert.equal((await sendWebhook(config, events.slice(0, 1), undefined, fourMinutesAgo)).ok, true);
  });

  it('stops at the first failure and says how many were delivered; the rest goes on retry', async () => {
    rx.faults.failNext(1, { status: 503, body: 'down' }, 1);
    const before = rx.requests;
    const r = await sendWebhook(config, events);
    assert.deepEqual(r, { ok: false, delivered: 1, retryable: true, status: 503, error: `HTTP 503 from ${rx.origin}` });
    assert.equal(rx.requests - before, 2, 'the third event is not attempted');
    assert.deepEqual(await sendWebhook(config, events.slice(r.delivered)), { ok: true, delivered: 2 });
    assert.deepEqual(rx.events.map((e) => e.event_id), events.map((e) => e.event_id));
    assert.deepEqual(rx.duplicates, []);
  });

  it('classifies answers: 408, 429 and 5xx are retryable, other 4xx and 3xx are not', async () => {
    const table: Array<[number, boolean]> = [[400, false], [401, false], [404, false], [413, false], [301, false], [408, true], [429, true], [500, true], [502, true], [503, true]];
    for (const [status, retryable] of table) {
      rx.faults.always({ status, headers: status === 301 ? { location: 'http://elsewhere.invalid/' } : {} });
      const r: DeliveryResult = await sendWebhook(config, events.slice(0, 1));
      assert.deepEqual([r.ok, !r.ok && r.retryable, !r.ok && r.status], [false, retryable, status], `status ${status}`);
    }
    assert.equal(rx.events.length, 0);
  });

  it("passes on the receiver's Retry-After", async () => {
    rx.faults.failNext(1, { status: 429, headers: { 'retry-after': '7' } });
    const r = await sendWebhook(config, events.slice(0, 1));
    assert.equal(!r.ok && r.retryAfterMs, 7_000);
  });

  it('counts a duplicate delivery (at-least-once) and the receiver dedupes it on event_id', async () => {
    await sendWebhook(config, events.slice(0, 2));
    await sendWebhook(config, events.slice(1, 3));
    assert.deepEqual(rx.events.map((e) => e.event_id), events.map((e) => e.event_id));
    assert.deepEqual(rx.duplicates, [events[1].event_id]);
  });

  it('an empty batch is delivered without a request', async () => {
    const before = rx.requests;
    assert.deepEqual(await sendWebhook(config, []), { ok: true, delivered: 0 });
    assert.equal(rx.requests, before);
  });
});
