import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { requestEventId } from '@gw/audit';
import { createDataSource } from '@gw/database';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { freshDatabase } from '../support/databases';
import { DIST, startGateway, type GatewayProcess } from '../support/gateway-process';
import { http, type HttpCall } from '../support/metering-e2e';
import { say, SurfaceDrivers } from '../support/policy-drivers';
import { orgWithRoles, type Role } from '../support/org-roles';
import { waitFor } from '../support/private-services';

const NO_ORG = '00000000-0000-0000-0000-000000000000';
const POLICIES = '/api/policy-gateway/policies';
const policy = (denylist: string[]) => ({ name: 'Audited', classification: 'internal', config: { rules: { denylist, enforcement_action: 'block', redact_pii: true } } });

interface Row {
  seq: string;
  event_type: string;
  principal_kind: string;
  user_id: string | null;
  api_key_id: string | null;
  key_preview: string | null;
  http_status: number | null;
  attributes: Record<string, unknown>;
}

/**
 * Issue 11, slice 1: a refusal, a redaction, a login failure, a key revocation and a policy edit each become the
 * right class of event in the organisation's chain; the chain verifies over HTTP; tampered rows are caught at the
 * exact seq; every endpoint is scoped to the caller's organisation and role.
 */
describe('audit trail: event classes, hash chain, verify (e2e, production mode, real Postgres)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let base: string;
  let ds: DataSource;
  let drivers: SurfaceDrivers;
  const orgs = { a: '', b: '' };
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  const call = (method: string, path: string, token: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const login = (email: string, password: string) => http(`${base}/api/auth/login`, { body: { email, password } });
  const rows = (org: string) =>
    ds.query<Row[]>(
      `SELECT seq::text AS seq, event_type, principal_kind, user_id, api_key_id, key_preview, http_status,
         attributes || jsonb_strip_nulls(jsonb_build_object('prompt_hmac', encode(prompt_hmac, 'hex'), 'output_hmac', encode(output_hmac, 'hex'))) AS attributes
       FROM audit_event WHERE org_id = $1 ORDER BY seq`,
      [org],
    );
  const verify = async (token = tokens.a.auditor, query = '') => {
    const res = await call('GET', `/api/audit/verify${query}`, token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { ok: boolean; checked: number; first_break: { seq: number; reason: string } | null; head: { seq: number } };
  };

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_audit_trail_e2e_test');
    const catalog = { providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }], models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }] };
    gw = await startGateway({ DATABASE_URL: dbUrl, CATALOG_JSON: JSON.stringify(catalog), AUDIT_CHECKPOINT_EVERY: '4', AUDIT_INBOX_POLL_MS: '50' });
    base = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 2).initialize();
    for (const k of ['a', 'b'] as const) {
      const org = await orgWithRoles(base, dbUrl, `audit-${k}`);
      orgs[k] = org.id;
      tokens[k] = org.tokens;
      if (k === 'a') drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, org.apiKey);
    }
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('a refusal, a redaction, a login failure, a key revocation and a policy edit each become the right event', async () => {
    assert.equal((await call('PUT', `${POLICIES}/audited`, tokens.a.owner, policy(['forbidden-term']))).status, 201);
    assert.equal((await call('PUT', `${POLICIES}/audited`, tokens.a.admin, policy(['forbidden-term', 'other']))).status, 200);
    const refused = await drivers.call('chat', { text: 'tell me the forbidden-term', stream: false, model: 'fake-model', extra: { policy_id: 'audited' } });
    assert.equal(refused.status, 403);
    const redacted = await drivers.call('chat', { text: 'mail bob@example.com please', stream: false, model: 'fake-model', extra: { policy_id: 'audited' } });
    assert.equal(redacted.status, 200, redacted.error?.message);
    assert.equal((await login('owner@audit-a.test', 'wrong-password')).status, 401);
    const bogus = await http(`${gw.info.inferenceUrl}/v1/chat/completions`, { token: 'ak_not_a_real_key_0123456789', body: { model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] } });
    assert.equal(bogus.status, 401);
    const key = await call('POST', '/api/keys', tokens.a.admin, { label: 'to revoke' });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    assert.equal((await call('DELETE', `/api/keys/${key.body.id as string}`, tokens.a.admin)).status, 200);

    let mine: Row[] = [];
    await waitFor(async () => (mine = await rows(orgs.a)).filter((r) => r.event_type === 'enforcement').length >= 2 && mine.some((r) => r.attributes.action === 'key.revoke'), 15_000, 'events of org a');
    const byAction = (a: string) => mine.filter((r) => r.attributes.action === a);
    const revisions = mine.filter((r) => r.event_type === 'revision').map((r) => r.attributes.action);
    assert.deepEqual(revisions.filter((a) => String(a).startsWith('policy_')), ['policy_create', 'policy_update']);
    const [create, update] = mine.filter((r) => r.event_type === 'revision' && String(r.attributes.action).startsWith('policy_'));
    assert.equal(create.principal_kind, 'user');
    assert.deepEqual([create.attributes.before, (update.attributes.before as { config: { rules: { denylist: string[] } } }).config.rules.denylist], [null, ['forbidden-term']]);
    const enforcement = mine.filter((r) => r.event_type === 'enforcement');
    const refusal = enforcement.find((r) => r.http_status === 403)!;
    assert.equal((refusal.attributes.policy as { decision: string }).decision, 'refuse');
    assert.equal(refusal.principal_kind, 'api_key');
    assert.match(refusal.key_preview ?? '', /^ak_/, 'the key preview is recorded with the key id');
    const redaction = enforcement.find((r) => r.http_status === 200)!;
    assert.deepEqual((redaction.attributes.policy as { redaction_counts?: Record<string, number> }).redaction_counts, { EMAIL: 1 });
    assert.equal(JSON.stringify(mine).includes('bob@example.com'), false, 'no prompt text in any event');
    // An auditor holding a text proves it was sent (or not): the org's HMAC of it equals the event's.
    const hmacOf = async (text: string) => (await call('POST', '/api/audit/hmac', tokens.a.auditor, { text })).body.hmac as string;
    assert.equal(redaction.attributes.prompt_hmac, await hmacOf('mail bob@example.com please'), 'the digest is of the text as sent, before redaction');
    assert.equal(refusal.attributes.prompt_hmac, await hmacOf('tell me the forbidden-term'), 'a refused prompt has its digest too');
    assert.notEqual(refusal.attributes.prompt_hmac, await hmacOf('tell me the forbidden-term '));
    assert.match(String(redaction.attributes.output_hmac), /^[0-9a-f]{64}$/);
    const otherOrg = (await call('POST', '/api/audit/hmac', tokens.b.auditor, { text: 'mail bob@example.com please' })).body.hmac as string;
    assert.notEqual(otherOrg, redaction.attributes.prompt_hmac, 'per-organisation keys');
    assert.deepEqual([byAction('key.create').length, byAction('key.revoke').length], [1, 1]);
    assert.equal(byAction('key.revoke')[0].event_type, 'admin');
    assert.ok(byAction('login').some((r) => r.event_type === 'auth' && r.attributes.outcome === 'success'));
    const anonymous = await rows(NO_ORG);
    assert.ok(anonymous.some((r) => r.event_type === 'auth' && r.attributes.outcome === 'failure' && r.attributes.email_domain === 'audit-a.test'), 'a failed login is in the chain of no organisation');
    assert.equal(JSON.stringify(anonymous).includes('wrong-password'), false);
    await waitFor(async () => (await rows(NO_ORG)).some((r) => r.event_type === 'auth' && r.http_status === 401), 10_000, 'the refused key');
  });

  it('the chain verifies over HTTP, with signed checkpoints, and the public key is served', async () => {
    const report = await verify();
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.checked, report.head.seq);
    assert.ok(report.checked >= 8);
    const cps = await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM audit_checkpoint WHERE org_id = $1`, [orgs.a]);
    assert.ok(cps[0].n >= 1, 'a checkpoint every 4 events');
    const key = await call('GET', '/api/audit/public-key', tokens.a.auditor);
    assert.equal(key.status, 200);
    assert.match(key.body.public_key as string, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(key.body.algorithm, 'Ed25519');
  });

  it('query API: filters, cursor pages, stats; bad parameters are 400 naming them; every read is an admin event', async () => {
    const revisions = await call('GET', '/api/audit/events?class=revision&limit=1', tokens.a.auditor);
    assert.equal(revisions.status, 200, JSON.stringify(revisions.body));
    assert.equal(revisions.body.data.length, 1);
    assert.equal(revisions.body.data[0].event_type, 'revision');
    const next = await call('GET', `/api/audit/events?class=revision&limit=1&cursor=${revisions.body.next_cursor as string}`, tokens.a.auditor);
    assert.ok(next.body.data[0].seq < revisions.body.data[0].seq, 'newest first, the cursor moves on');
    const refusals = await call('GET', '/api/audit/events?decision=refuse', tokens.a.auditor);
    assert.deepEqual(refusals.body.data.map((e: { http_status: number }) => e.http_status), [403]);
    const stats = await call('GET', '/api/audit/stats', tokens.a.auditor);
    assert.equal(stats.status, 200);
    assert.equal(stats.body.by_decision.refuse, 1);
    for (const [query, param] of [['limit=1001', 'limit'], ['from=yesterday', 'from'], ['colour=red', 'colour'], ['class=nope', 'class']]) {
      const bad = await call('GET', `/api/audit/events?${query}`, tokens.a.auditor);
      assert.deepEqual([bad.status, bad.body.error?.param], [400, param], query);
    }
    await waitFor(async () => (await rows(orgs.a)).some((r) => r.attributes.action === 'audit.stats'), 10_000, 'the reads are audited');
  });

  it('export: JSONL verifies offline with the public key (a tampered line is caught), CSV is RFC 4180', async () => {
    const pem = (await call('GET', '/api/audit/public-key', tokens.a.auditor)).body.public_key as string;
    const res = await fetch(`${base}/api/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${tokens.a.auditor}` } });
    assert.equal(res.status, 200);
    const text = await res.text();
    const dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
    const file = join(dir, 'export.jsonl');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(file, text);
    writeFileSync(keyFile, pem);
    const cli = (args: string[]) => spawnSync(process.execPath, [join(DIST, 'libs/audit/src/cli/verify-audit.js'), ...args], { encoding: 'utf8' });
    const ok = cli([file, '--public-key', keyFile, '--json']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const [report] = JSON.parse(ok.stdout) as Array<{ ok: boolean; checked: number; checkpoints_verified: number }>;
    assert.ok(report.ok && report.checked >= 8 && report.checkpoints_verified >= 1, ok.stdout);
    const lines = text.trimEnd().split('\n');
    const victim = JSON.parse(lines[3]) as { seq: number; model: string | null };
    lines[3] = JSON.stringify({ ...victim, model: 'edited' });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const broken = cli([file, '--public-key', keyFile, '--json']);
    assert.equal(broken.status, 1, broken.stdout + broken.stderr);
    assert.deepEqual(JSON.parse(broken.stdout)[0].first_break.seq, victim.seq);
    assert.equal(cli([file]).status, 2, 'no key: usage error');
    const csv = await (await fetch(`${base}/api/audit/export?format=csv`, { headers: { authorization: `Bearer ${tokens.a.auditor}` } })).text();
    const csvLines = csv.split('\r\n').filter(Boolean);
    assert.match(csvLines[0], /^event_id,event_type,created_at/);
    assert.ok(csvLines.length >= report.checked);
  });

  it('tampering in Postgres is reported at the exact first broken seq: an edit, a deletion, a reordering', async () => {
    const org = orgs.a;
    const seqOf = async (n: number) => Number((await rows(org))[n].seq);
    const k = await seqOf(2);
    await ds.query(`UPDATE audit_event SET http_status = 200 WHERE org_id = $1 AND seq = $2`, [org, k]);
    const edited = await verify();
    assert.deepEqual([edited.ok, edited.first_break?.seq, edited.first_break?.reason], [false, k, 'hash_mismatch']);
    await ds.query(`DELETE FROM audit_event WHERE org_id = $1 AND seq = $2`, [org, k]);
    const deleted = await verify();
    assert.deepEqual([deleted.ok, deleted.first_break?.seq, deleted.first_break?.reason], [false, k, 'missing']);
    const j = k + 2;
    for (const [from, to] of [[j, -1], [j + 1, j], [-1, j + 1]]) await ds.query(`UPDATE audit_event SET seq = $3 WHERE org_id = $1 AND seq = $2`, [org, from, to]);
    const reordered = await verify(tokens.a.auditor, `?from=${k + 1}`);
    assert.deepEqual([reordered.first_break?.seq, reordered.first_break?.reason], [j, 'hash_mismatch']);
  });

  it('every audit endpoint is scoped: members 403, another organisation sees nothing of this one', async () => {
    for (const path of ['/api/audit/verify', '/api/audit/public-key']) assert.equal((await call('GET', path, tokens.a.member)).status, 403, path);
    const [first] = await rows(orgs.a);
    const event = (await ds.query<Array<{ event_id: string }>>(`SELECT event_id::text AS event_id FROM audit_event WHERE org_id = $1 AND seq = $2`, [orgs.a, first.seq]))[0].event_id;
    assert.equal((await call('GET', `/api/audit/events/${event}`, tokens.a.auditor)).status, 200);
    for (const role of ['owner', 'admin', 'auditor'] as const) {
      const res = await call('GET', `/api/audit/events/${event}`, tokens.b[role]);
      assert.deepEqual([res.status, res.body.error?.code], [404, 'audit_event_not_found'], role);
    }
    const other = await verify(tokens.b.auditor);
    assert.equal(other.ok, true, 'org b has its own, intact chain');
    assert.equal((await call('GET', '/api/audit/verify?from=abc', tokens.a.auditor)).status, 400);
    assert.equal((await call('GET', '/api/audit/verify?since=1', tokens.a.auditor)).status, 400);
  });

  it('authorization matrix: every audit endpoint, every role of another organisation, returns nothing of this one', async () => {
    const mine = new Set((await ds.query<Array<{ event_id: string }>>(`SELECT event_id::text AS event_id FROM audit_event WHERE org_id = $1`, [orgs.a])).map((r) => r.event_id));
    const [{ event_id: anEvent }] = await ds.query<Array<{ event_id: string }>>(`SELECT event_id::text AS event_id FROM audit_event WHERE org_id = $1 LIMIT 1`, [orgs.a]);
    const hook = await call('POST', '/api/audit/connectors', tokens.a.owner, { name: 'matrix', kind: 'webhook', enabled: false, config: { url: 'http://127.0.0.1:9/hook', secret: 'matrix-secret-0123456789' } });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const connector = hook.body.id as string;
    const endpoints: Array<[string, string, unknown?]> = [
      ['GET', '/api/audit/events?limit=1000'],
      ['GET', `/api/audit/events/${anEvent}`],
      ['GET', '/api/audit/stats'],
      ['GET', '/api/audit/export?format=jsonl'],
      ['GET', '/api/audit/export?format=csv'],
      ['GET', '/api/audit/verify'],
      ['GET', '/api/audit/public-key'],
      ['POST', '/api/audit/hmac', { text: 'mail bob@example.com please' }],
      ['GET', '/api/audit/connectors'],
      ['GET', `/api/audit/connectors/${connector}`],
      ['PATCH', `/api/audit/connectors/${connector}`, { enabled: true }],
      ['DELETE', `/api/audit/connectors/${connector}`],
      ['GET', `/api/audit/connectors/${connector}/dead-letters`],
      ['POST', `/api/audit/connectors/${connector}/dead-letters/replay`],
    ];
    const seen: string[] = [];
    for (const [method, path, body] of endpoints) {
      assert.equal((await call(method, path, tokens.a.member, body)).status, 403, `member of the org: ${method} ${path}`);
      for (const role of ['owner', 'admin', 'auditor', 'member'] as const) {
        const res = await call(method, path, tokens.b[role], body);
        const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
        const what = `${role} of org b: ${method} ${path} -> ${res.status}`;
        assert.ok([200, 403, 404].includes(res.status), what);
        if (role === 'member') assert.equal(res.status, 403, what);
        if (path.includes(anEvent) || path.includes(connector)) assert.ok([403, 404].includes(res.status), what);
        assert.equal(text.includes(orgs.a), false, `${what}: mentions org a`);
        const leaked = [...mine].filter((id) => text.includes(id));
        assert.deepEqual(leaked, [], `${what}: holds org a's events`);
        seen.push(`${role}:${res.status}`);
      }
    }
    assert.equal((await call('GET', `/api/audit/connectors/${connector}`, tokens.a.auditor)).status, 200, 'the connector is still there for its own org');
    assert.ok(seen.filter((s) => s.endsWith(':200')).length >= 20, 'the other org is served its own data, not only refused');
  });
});

/**
 * Issue 11, content retention and per-org retention: a policy with `audit.retain_content` keeps the request's
 * prompt and output sealed in `audit_content` (never in clear, outside the chain), readable through
 * `?include=content` by the org's readers only; `/api/audit/retention` sets the org's own retention.
 */
describe('audit trail: retained content and per-org retention (e2e, production mode, real Postgres)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let base: string;
  let ds: DataSource;
  let drivers: SurfaceDrivers;
  const orgs = { a: '', b: '' };
  const tokens = { a: {} as Record<Role, string>, b: {} as Record<Role, string> };
  const call = (method: string, path: string, token: string, body?: unknown): Promise<HttpCall> => http(`${base}${path}`, { method, token, body });
  const retaining = (extra: Record<string, unknown> = {}) => ({ name: 'Retained', config: { rules: { denylist: ['forbidden-term'], enforcement_action: 'block' } }, audit: { retain_content: true, ...extra } });
  const eventOf = async (requestId: string) => {
    const id = requestEventId(requestId);
    let row: { attributes: Record<string, unknown> } | undefined;
    await waitFor(async () => !!(row = (await ds.query<Array<{ attributes: Record<string, unknown> }>>(`SELECT attributes FROM audit_event WHERE event_id = $1`, [id]))[0]), 15_000, `event of ${requestId}`);
    return { id, attributes: row!.attributes };
  };
  const contentRow = async (eventId: string) => (await ds.query<Array<{ prompt: string | null; output: string | null; key_id: string }>>(`SELECT prompt, output, key_id FROM audit_content WHERE event_id = $1`, [eventId]))[0];

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_audit_content_e2e_test');
    const catalog = { providers: [{ id: 'fake', kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 5000 }], models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }] };
    gw = await startGateway({ DATABASE_URL: dbUrl, CATALOG_JSON: JSON.stringify(catalog), AUDIT_INBOX_POLL_MS: '50' });
    base = gw.info.controlUrl!;
    ds = await createDataSource(dbUrl, 2).initialize();
    for (const k of ['a', 'b'] as const) {
      const org = await orgWithRoles(base, dbUrl, `content-${k}`);
      orgs[k] = org.id;
      tokens[k] = org.tokens;
      if (k === 'a') drivers = new SurfaceDrivers(`${gw.info.inferenceUrl}/policy`, org.apiKey);
    }
  });

  after(async () => {
    await ds?.destroy();
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('a retaining policy: the event says content_retained, include=content opens it for readers of the org only, the row holds no plaintext', async () => {
    assert.equal((await call('PUT', `${POLICIES}/retained`, tokens.a.owner, retaining({ content_retention_days: 5 }))).status, 201);
    assert.equal((await call('PUT', `${POLICIES}/plain`, tokens.a.owner, policy([]))).status, 201);
    const prompt = say('the launch code is 8128');
    const served = await drivers.call('chat', { text: prompt, stream: true, model: 'fake-model', extra: { policy_id: 'retained' } });
    assert.equal(served.text, 'the launch code is 8128');
    const refused = await drivers.call('messages', { text: 'tell me the forbidden-term 6174', stream: false, model: 'fake-model', extra: { policy_id: 'retained' } });
    assert.equal(refused.status, 403);
    const plain = await drivers.call('chat', { text: 'nothing kept 3435', stream: false, model: 'fake-model', extra: { policy_id: 'plain' } });
    assert.equal(plain.status, 200);

    const kept = await eventOf(served.requestId);
    assert.equal(kept.attributes.content_retained, true);
    const row = await contentRow(kept.id);
    assert.ok(row, 'a content row');
    assert.equal(JSON.stringify(row).includes('8128'), false, 'the raw row holds no plaintext');
    assert.equal(JSON.stringify(row).includes(prompt.slice(6, 30)), false);
    const read = await call('GET', `/api/audit/events/${kept.id}?include=content`, tokens.a.auditor);
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.deepEqual([read.body.content.prompt, read.body.content.output], [prompt, 'the launch code is 8128']);
    const days = (Date.parse(read.body.content.expires_at as string) - Date.now()) / 86_400_000;
    assert.ok(days > 4.9 && days <= 5, `expires in the policy's 5 days (${days})`);
    assert.equal(read.body.entry_hash.length, 64, 'the event itself comes along');
    assert.equal('content' in (await call('GET', `/api/audit/events/${kept.id}`, tokens.a.auditor)).body, false, 'without include nothing changes');

    const refusal = await eventOf(refused.requestId);
    assert.equal(refusal.attributes.content_retained, true);
    const refusedRead = await call('GET', `/api/audit/events/${refusal.id}?include=content`, tokens.a.owner);
    assert.deepEqual([refusedRead.body.content.prompt, refusedRead.body.content.output], ['tell me the forbidden-term 6174', null], 'a refused request keeps its prompt');

    const none = await eventOf(plain.requestId);
    assert.equal(none.attributes.content_retained, undefined);
    assert.equal(await contentRow(none.id), undefined, 'a policy without retain_content stores no content');
    assert.deepEqual((await call('GET', `/api/audit/events/${none.id}?include=content`, tokens.a.admin)).body.content, null);

    const bad = await call('GET', `/api/audit/events/${kept.id}?include=everything`, tokens.a.auditor);
    assert.deepEqual([bad.status, bad.body.error?.param], [400, 'include']);
    assert.equal((await call('GET', `/api/audit/events/${kept.id}?include=content`, tokens.a.member)).status, 403);
    for (const role of ['owner', 'auditor'] as const) {
      const other = await call('GET', `/api/audit/events/${kept.id}?include=content`, tokens.b[role]);
      assert.deepEqual([other.status, JSON.stringify(other.body).includes('8128')], [404, false], role);
    }
    await waitFor(
      async () => (await ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM audit_event WHERE org_id = $1 AND attributes->>'action' = 'audit.read' AND attributes->>'content_read' = 'true'`, [orgs.a]))[0].n >= 3,
      10_000,
      'every content read is an admin event',
    );
  });

  it('per-org retention: GET/PUT round trip, before/after recorded, 400 naming the field, auditors read only, members 403', async () => {
    const initial = await call('GET', '/api/audit/retention', tokens.a.auditor);
    assert.equal(initial.status, 200, JSON.stringify(initial.body));
    assert.deepEqual(initial.body, { events_days: null, content_days: null, content_default_days: 30, global_months: null, retained_from: 1 });
    const set = await call('PUT', '/api/audit/retention', tokens.a.admin, { events_days: 400, content_days: 10 });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual([set.body.events_days, set.body.content_days], [400, 10]);
    const partial = await call('PUT', '/api/audit/retention', tokens.a.owner, { content_days: null });
    assert.deepEqual([partial.body.events_days, partial.body.content_days], [400, null], 'an absent field is unchanged; null inherits');
    const [head] = await ds.query<Array<{ retention_days: number | null; content_retention_days: number | null }>>(`SELECT retention_days, content_retention_days FROM audit_chain WHERE org_id = $1`, [orgs.a]);
    assert.deepEqual(head, { retention_days: 400, content_retention_days: null });
    for (const [body, param] of [[{ events_days: 0 }, 'events_days'], [{ events_days: 36_501 }, 'events_days'], [{ content_days: 2.5 }, 'content_days'], [{ content_days: '7' }, 'content_days'], [{ keep: 1 }, 'keep']] as const) {
      const res = await call('PUT', '/api/audit/retention', tokens.a.owner, body);
      assert.deepEqual([res.status, res.body.error?.param], [400, param], JSON.stringify(body));
    }
    assert.equal((await call('PUT', '/api/audit/retention', tokens.a.auditor, { events_days: 1 })).status, 403, 'auditors read only');
    assert.equal((await call('GET', '/api/audit/retention', tokens.a.member)).status, 403);
    assert.equal((await call('PUT', '/api/audit/retention', tokens.a.member, { events_days: 1 })).status, 403);
    const other = await call('GET', '/api/audit/retention', tokens.b.owner);
    assert.deepEqual([other.body.events_days, other.body.content_days], [null, null], "another organisation's settings are its own");
    let changes: Array<{ attributes: { before: unknown; after: unknown } }> = [];
    await waitFor(
      async () => (changes = await ds.query(`SELECT attributes FROM audit_event WHERE org_id = $1 AND attributes->>'action' = 'audit.retention.update' ORDER BY seq`, [orgs.a])).length === 2,
      10_000,
      'retention changes are admin events',
    );
    assert.deepEqual(changes.map((c) => [c.attributes.before, c.attributes.after]), [
      [{ events_days: null, content_days: null }, { events_days: 400, content_days: 10 }],
      [{ events_days: 400, content_days: 10 }, { events_days: 400, content_days: null }],
    ]);
  });
});
