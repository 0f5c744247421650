import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseConnectorConfig } from '../connector-config';
import type { OtlpLogsConfig } from '../connector.types';
import { policyEventPayload } from '../payload';
import { makeEvents, startOtlpReceiver, type OtlpReceiver } from '../testing/receivers';
import { sendOtlpLogs } from './otlp-logs';

const events = makeEvents(3);
type Obj = Record<string, unknown>;

/** OTLP key-values as a plain object of their values. */
const kv = (list: unknown): Obj => Object.fromEntries((list as Array<{ key: string; value: Obj }>).map((a) => [a.key, Object.values(a.value)[0]]));

describe('OTLP logs sender', () => {
  let rx: OtlpReceiver;
  let config: OtlpLogsConfig;
  before(async () => {
    rx = await startOtlpReceiver();
  });
  after(() => rx.close());
  beforeEach(() => {
    rx.bodies.length = 0;
    rx.headers.length = 0;
    rx.faults.reset();
    config = parseConnectorConfig('otlp_logs', { url: rx.url, headers: { 'x-api-key': 'collector-key-0001' }, timeout_ms: 2_000 });
  });

  it('exports a batch of 3 as one ExportLogsServiceRequest, exactly as the receiver parses it', async () => {
    assert.deepEqual(await sendOtlpLogs(config, events), { ok: true, delivered: 3 });
    assert.equal(rx.bodies.length, 1);
    assert.equal(rx.headers[0]['x-api-key'], 'collector-key-0001');
    const [rl] = rx.bodies[0].resourceLogs as Obj[];
    assert.deepEqual(kv((rl.resource as Obj).attributes), { 'service.name': 'policy-gateway' });
    assert.deepEqual(((rl.scopeLogs as Obj[])[0].scope as Obj).name, 'policy-gateway.audit');
    const records = rx.logRecords();
    assert.equal(records.length, 3);
    records.forEach((r, i) => {
      const e = events[i];
      assert.equal(r.timeUnixNano, `${Date.parse(e.occurred_at)}000000`);
      assert.equal(r.observedTimeUnixNano, `${Date.parse(e.created_at)}000000`);
      assert.deepEqual([r.severityText, r.severityNumber], ['INFO', 9]);
      assert.deepEqual(JSON.parse((r.body as { stringValue: string }).stringValue), JSON.parse(JSON.stringify(policyEventPayload(e))));
      assert.deepEqual(kv(r.attributes), {
        'event.id': e.event_id,
        'event.type': 'enforcement',
        'event.source': 'policy_gateway',
        'org.id': e.org_id,
        'project.id': 'proj_support_bot',
        'user.id': 'user_7',
        'policy.id': 'support-bot',
        decision: 'refuse',
        effective_decision: 'allow',
        reason_code: 'REFUSE',
        rollout_mode: 'shadow',
        enforced: false,
        model: 'abliterated-model',
        'audit.seq': String(e.seq),
      });
    });
  });

  it('a partial success with rejected records is a failure that is not retried', async () => {
    rx.faults.failNext(1, { status: 200, body: { partialSuccess: { rejectedLogRecords: '2', errorMessage: 'body too large' } } });
    assert.deepEqual(await sendOtlpLogs(config, events), { ok: false, delivered: 0, retryable: false, status: 200, error: `2 of 3 log records rejected by ${rx.origin}` });
    rx.faults.failNext(1, { status: 200, body: { partialSuccess: { rejectedLogRecords: 0 } } });
    assert.deepEqual(await sendOtlpLogs(config, events), { ok: true, delivered: 3 });
    rx.faults.failNext(1, { status: 200, body: '' });
    assert.deepEqual(await sendOtlpLogs(config, events), { ok: true, delivered: 3 }, 'an empty 2xx body is a full success');
  });

  it('retries 429, 502, 503 and 504 only, as the OTLP spec requires', async () => {
    const table: Array<[number, boolean]> = [[429, true], [502, true], [503, true], [504, true], [500, false], [400, false], [408, false], [413, false]];
    for (const [status, retryable] of table) {
      rx.faults.failNext(1, { status, headers: { 'retry-after': '2' } });
      const r = await sendOtlpLogs(config, events);
      assert.deepEqual([r.ok, !r.ok && r.retryable, !r.ok && r.status, !r.ok && r.retryAfterMs], [false, retryable, status, 2_000], `status ${status}`);
    }
  });
});
