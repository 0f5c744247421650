import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConnectorConfig } from '../connector-config';
import { secretValues } from '../connector-secrets';
import type { ConnectorConfigs, ConnectorKind, DeliveryResult } from '../connector.types';
import { chain, enforcementEvent, listen, listenSelfSignedTls, listenSilently, makeEvents, type TestServer } from '../testing/receivers';
import { scrubError, sendBatch, SENDERS } from './index';

const events = makeEvents(3);
const SECRETS = { webhook: 'whsec_SUPERSECRET_0001', header: 'Bearer HEADERSECRET_0002', hec: 'HECSECRET-0003', s3: 'S3SECRET/0004/abcdefgh', path: 'PATHSECRET0005' };

/** A config of each kind pointed at `origin`, full of secrets (including one in the webhook's path). */
function configs(origin: string, timeoutMs: number): { [K in ConnectorKind]: ConnectorConfigs[K] } {
  return {
    webhook: parseConnectorConfig('webhook', { url: `${origin}/hooks/${SECRETS.path}?k=${SECRETS.path}`, secret: SECRETS.webhook, headers: { authorization: SECRETS.header }, timeout_ms: timeoutMs }),
    splunk_hec: parseConnectorConfig('splunk_hec', { url: `${origin}/services/collector/event`, token: SECRETS.hec, timeout_ms: timeoutMs }),
    s3: parseConnectorConfig('s3', { bucket: 'audit-archive', region: 'us-east-1', endpoint: origin, access_key_id: 'AKIAID', secret_access_key: SECRETS.s3, timeout_ms: timeoutMs }),
    otlp_logs: parseConnectorConfig('otlp_logs', { url: `${origin}/v1/logs`, headers: { authorization: SECRETS.header }, timeout_ms: timeoutMs }),
  };
}
const KINDS: ConnectorKind[] = ['webhook', 'splunk_hec', 's3', 'otlp_logs'];

/** Asserts that an error string holds no secret, no URL path and nothing of the payload. */
function assertClean(r: DeliveryResult, what: string): void {
  assert.equal(r.ok, false, what);
  if (r.ok) return;
  for (const s of Object.values(SECRETS)) assert.ok(!r.error.includes(s), `${what}: error quotes a secret: ${r.error}`);
  for (const s of ['competitor-', events[0].event_id, 'support-bot', '/hooks/']) assert.ok(!r.error.includes(s), `${what}: error quotes '${s}': ${r.error}`);
}

describe('delivery failures', () => {
  let silent: TestServer;
  let echo: TestServer;
  before(async () => {
    silent = await listenSilently();
    // A hostile receiver: answers 500 quoting everything it was sent, headers and body.
    echo = await listen((req, res, body) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: `${JSON.stringify(req.headers)} ${req.url} ${body.toString('utf8')}`, code: 8, errorMessage: body.toString('utf8') }));
    });
  });
  after(async () => {
    await silent.close();
    await echo.close();
  });

  for (const kind of KINDS) {
    it(`${kind}: a receiver that never answers is a retryable failure, within the timeout`, async () => {
      const started = Date.now();
      const r = await sendBatch(kind, configs(silent.origin, 300)[kind], events);
      const took = Date.now() - started;
      assert.deepEqual([r.ok, !r.ok && r.retryable, !r.ok && r.status], [false, true, undefined]);
      assert.match(!r.ok ? r.error : '', /within 300 ms/);
      assert.ok(took >= 250 && took < 1_500, `took ${took} ms`);
      assertClean(r, `${kind} timeout`);
    });

    it(`${kind}: errors never carry secrets, paths or payload, even from a receiver that echoes them`, async () => {
      const config = configs(echo.origin, 2_000)[kind];
      // The sender alone (no scrubbing) must already be clean; sendBatch scrubs on top.
      assertClean(await (SENDERS[kind] as (c: typeof config, e: typeof events) => Promise<DeliveryResult>)(config, events), `${kind} echo, sender`);
      assertClean(await sendBatch(kind, config, events), `${kind} echo`);
    });
  }

  it('a refused connection is retryable for every kind, and says so', async () => {
    const gone = await listen(() => undefined);
    await gone.close();
    for (const kind of KINDS) {
      const r = await sendBatch(kind, configs(gone.origin, 2_000)[kind], events);
      assert.deepEqual([r.ok, !r.ok && r.retryable], [false, true], kind);
      assert.match(!r.ok ? r.error : '', /ECONNREFUSED/, kind);
      assertClean(r, `${kind} refused`);
    }
  });

  it('an abort (shutdown) ends a delivery at once, retryable', async () => {
    for (const kind of KINDS) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const started = Date.now();
      const r = await sendBatch(kind, configs(silent.origin, 10_000)[kind], events, ac.signal);
      assert.deepEqual([r.ok, !r.ok && r.retryable], [false, true], kind);
      assert.match(!r.ok ? r.error : '', /aborted/, kind);
      assert.ok(Date.now() - started < 1_500, kind);
    }
  });

  it('an event that cannot be encoded is a non-retryable failure, not an exception', async () => {
    const [bad] = chain([enforcementEvent(1, { created_at: 'not a date', occurred_at: 'not a date' })]);
    for (const kind of ['splunk_hec', 's3', 'otlp_logs'] as const) {
      const r = await sendBatch(kind, configs(silent.origin, 300)[kind], [bad]);
      assert.deepEqual([r.ok, !r.ok && r.retryable], [false, false], kind);
      assert.match(!r.ok ? r.error : '', /internal error in the .* sender: audit event has an invalid timestamp/);
    }
  });

  it('a request undici refuses to send (an unvalidated bad header) is not retried', async () => {
    const c = { ...configs(silent.origin, 300).webhook, headers: { 'x-bad': 'line\r\nbreak' } };
    const r = await sendBatch('webhook', c, events);
    assert.deepEqual([r.ok, !r.ok && r.retryable, !r.ok && r.error], [false, false, `UND_ERR_INVALID_ARG from ${silent.origin}`]);
  });

  it('scrubs every secret of the config from any text', () => {
    const c = configs('http://127.0.0.1:1', 1_000);
    for (const kind of KINDS) {
      const text = `failed: ${secretValues(kind, c[kind]).join(' and ')}`;
      const scrubbed = scrubError(kind, c[kind], text);
      for (const s of secretValues(kind, c[kind])) assert.ok(!scrubbed.includes(s), kind);
      assert.match(scrubbed, /^failed: \*\*\*\*/);
    }
  });
});

describe('verify_tls', () => {
  it('refuses a self-signed receiver by default and accepts it when verify_tls is false', async () => {
    const tls = await listenSelfSignedTls();
    try {
      const webhook = parseConnectorConfig('webhook', { url: `${tls.origin}/h`, secret: SECRETS.webhook, timeout_ms: 2_000 });
      const strict = await sendBatch('webhook', webhook, events);
      assert.deepEqual([strict.ok, !strict.ok && strict.retryable], [false, true]);
      assert.equal(tls.requests, 0);
      assert.deepEqual(await sendBatch('webhook', { ...webhook, verify_tls: false }, events), { ok: true, delivered: 3 });
      const hec = parseConnectorConfig('splunk_hec', { url: `${tls.origin}/services/collector/event`, token: SECRETS.hec, verify_tls: false });
      const r = await sendBatch('splunk_hec', hec, events);
      assert.match(!r.ok ? r.error : '', /not an HEC acknowledgement/, 'reached the receiver over unverified TLS');
      assert.equal(tls.requests, 4);
    } finally {
      await tls.close();
    }
  });
});
