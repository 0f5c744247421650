import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditQueryError } from './audit-query';
import { encodeCursor } from './cursor';
import { parseAuditQuery, type AuditQueryOptions } from './query-params';

const EVENTS: AuditQueryOptions = { maxLimit: 1000, defaultLimit: 100 };
const parse = (raw: Record<string, unknown>, opts: Partial<AuditQueryOptions> = {}) => parseAuditQuery(raw, { ...EVENTS, ...opts });

/** The AuditQueryError `raw` raises (fails the test when it parses). */
function errorOf(raw: Record<string, unknown>, opts: Partial<AuditQueryOptions> = {}): AuditQueryError {
  try {
    parse(raw, opts);
  } catch (err) {
    assert.ok(err instanceof AuditQueryError, `expected an AuditQueryError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('parseAuditQuery', () => {
  it('parses every filter into the typed query', () => {
    const q = parse({
      from: '2026-05-01',
      to: '2026-05-02T10:30:00+02:00',
      class: 'enforcement, admin,enforcement',
      decision: 'refuse',
      effective_decision: 'allow',
      reason_code: 'REFUSE',
      policy_id: 'support-bot',
      project_id: 'proj_1',
      user_id: 'u_1',
      policy_user: 'end-user-42',
      key_id: 'key_1',
      model: 'abliterated-model',
      surface: 'chat.completions',
      category: 'self-harm',
      status: '4xx',
      request_id: 'req_1',
      limit: '250',
      cursor: encodeCursor(77),
    });
    assert.deepEqual(q, {
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-02T08:30:00Z'),
      classes: ['enforcement', 'admin'],
      decision: 'refuse',
      effectiveDecision: 'allow',
      reasonCode: 'REFUSE',
      policyId: 'support-bot',
      projectId: 'proj_1',
      userId: 'u_1',
      policyUser: 'end-user-42',
      keyId: 'key_1',
      model: 'abliterated-model',
      surface: 'chat.completions',
      category: 'self-harm',
      status: { min: 400, max: 499 },
      requestId: 'req_1',
      limit: 250,
      beforeSeq: 77,
    });
  });

  it('defaults: the default limit, no filters; export defaults to jsonl; event_type is an alias of class', () => {
    assert.deepEqual(parse({}), { limit: 100 });
    assert.deepEqual(parse({ format: 'csv' }, { endpoint: 'export' }), { limit: 100, format: 'csv' });
    assert.deepEqual(parse({}, { endpoint: 'export' }), { limit: 100, format: 'jsonl' });
    assert.deepEqual(parse({ event_type: 'auth' }).classes, ['auth']);
    assert.deepEqual(parse({ status: '404' }).status, { min: 404, max: 404 });
  });

  it('times: offsets, fractions (finer than 1 ms rounds up), the calendar, the zone', () => {
    assert.equal(parse({ from: '2026-05-01T12:00Z' }).from?.toISOString(), '2026-05-01T12:00:00.000Z');
    assert.equal(parse({ from: '2026-05-01T12:00:00.5-0130' }).from?.toISOString(), '2026-05-01T13:30:00.500Z');
    assert.equal(parse({ from: '2026-05-01T12:00:00.123000Z' }).from?.toISOString(), '2026-05-01T12:00:00.123Z');
    assert.equal(parse({ from: '2026-05-01T12:00:00.1230001Z' }).from?.toISOString(), '2026-05-01T12:00:00.124Z');
    assert.equal(parse({ from: '2028-02-29' }).from?.toISOString(), '2028-02-29T00:00:00.000Z');
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-05-01T24:00Z', '2026-05-01T12:60Z', '2026-05-01T12:00:00+24:00', 'yesterday', '1714560000', '2026-5-1']) {
      assert.equal(errorOf({ from: bad }).param, 'from', bad);
    }
    assert.match(errorOf({ to: '2026-05-01T12:00:00' }).message, /^to: .*no time zone/);
  });

  it('the range: from must be before to (to exclusive)', () => {
    assert.equal(errorOf({ from: '2026-05-02', to: '2026-05-01' }).param, 'to');
    assert.equal(errorOf({ from: '2026-05-01', to: '2026-05-01' }).param, 'to');
    assert.ok(parse({ from: '2026-05-01', to: '2026-05-01T00:00:00.001Z' }));
  });

  const refused: Array<[string, Record<string, unknown>, Partial<AuditQueryOptions>?]> = [
    ['decision', { decision: ['allow', 'refuse'] }],
    ['model', { model: '' }],
    ['project_id', { project_id: { nested: 'x' } }],
    ['surface', { surface: 'a\u0000b' }],
    ['policy_user', { policy_user: 'bad\ud800' }],
    ['request_id', { request_id: 'x'.repeat(257) }],
    ['class', { class: 'enforcement,bogus' }],
    ['class', { class: 'enforcement,' }],
    ['event_type', { event_type: 'login' }],
    ['event_type', { class: 'admin', event_type: 'auth' }],
    ['decision', { decision: 'REFUSE' }],
    ['effective_decision', { effective_decision: 'deny' }],
    ['status', { status: '600' }],
    ['status', { status: '6xx' }],
    ['status', { status: '40' }],
    ['status', { status: 'error' }],
    ['limit', { limit: '0' }],
    ['limit', { limit: '1001' }],
    ['limit', { limit: '1e3' }],
    ['limit', { limit: '-5' }],
    ['limit', { limit: '010' }],
    ['limit', { limit: '50' }, { maxLimit: 20 }],
    ['cursor', { cursor: 'not a cursor!' }],
    ['cursor', { cursor: Buffer.from('{"v":1,"s":0}').toString('base64url') }],
    ['cursor', { cursor: Buffer.from('{"v":2,"s":5}').toString('base64url') }],
    ['cursor', { cursor: Buffer.from('{"v":1,"s":"5"}').toString('base64url') }],
    ['cursor', { cursor: Buffer.from('{"v":1,"s":5,"x":1}').toString('base64url') }],
    ['cursor', { cursor: Buffer.from('[1]').toString('base64url') }],
    ['cursor', { cursor: Buffer.from('{"v":1,').toString('base64url') }],
    ['format', { format: 'xml' }, { endpoint: 'export' }],
    ['format', { format: 'csv' }],
    ['limit', { limit: '10' }, { endpoint: 'stats' }],
    ['cursor', { cursor: encodeCursor(3) }, { endpoint: 'export' }],
    ['policy', { policy: 'p1' }],
    ['fromm', { fromm: '2026-05-01' }],
  ];
  for (const [param, raw, opts] of refused) {
    it(`refuses ${JSON.stringify(raw).slice(0, 70)} naming ${param}`, () => {
      const err = errorOf(raw, opts);
      assert.equal(err.param, param);
      assert.equal(err.statusCode, 400);
      assert.ok(err.message.includes(param), `message names the parameter: ${err.message}`);
    });
  }

  it('unknown parameters list what is accepted; the endpoint decides which extras exist', () => {
    assert.match(errorOf({ page: '2' }).message, /unknown parameter; accepted: from, to, class, .*limit, cursor$/);
    assert.match(errorOf({ page: '2' }, { endpoint: 'export' }).message, /accepted: .*request_id, format$/);
    assert.match(errorOf({ page: '2' }, { endpoint: 'stats' }).message, /accepted: .*request_id$/);
  });

  it('never echoes more than 64 characters of a bad value or name', () => {
    const long = `${'A'.repeat(64)}${'B'.repeat(5_000)}`;
    for (const raw of [{ from: long }, { decision: long }, { status: long }, { limit: long }, { [long]: '1' }]) {
      const err = errorOf(raw);
      assert.ok(err.message.includes('A'.repeat(64)), err.message);
      assert.ok(!err.message.includes('B'), `no more than 64 characters echoed: ${err.message.slice(0, 200)}`);
      assert.ok(err.param.length <= 64);
    }
  });

  it('an explicitly undefined value counts as absent', () => {
    assert.deepEqual(parse({ model: undefined }), { limit: 100 });
  });
});
