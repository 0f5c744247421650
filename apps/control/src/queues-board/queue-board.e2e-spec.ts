import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import Fastify from 'fastify';
import type { DataSource } from 'typeorm';
import { IdentityError, type TokenService, type UserPrincipal } from '@gw/identity';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../../../../test/support/bootstrap';
import { freshDatabase } from '../../../../test/support/databases';
import { e2eCatalog } from '../../../../test/support/e2e-modes';
import { startGateway, TEST_JWT_SECRET, type GatewayProcess } from '../../../../test/support/gateway-process';
import { chat, until } from '../../../../test/support/metering-e2e';
import { orgWithRoles, type OrgWithRoles } from '../../../../test/support/org-roles';
import { BoardAccess, BOARD_PATH } from './board-access';

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** BoardAccess alone, over fakes: what a real database rarely shows (an outage, a mangled cookie, a token in the URL). */
describe('BoardAccess (fakes)', () => {
  const owner: UserPrincipal = { kind: 'user', userId: 'u1', orgId: 'op', role: 'owner', jti: 'j' };
  before(() => Logger.overrideLogger(false)); // the outage warnings below are expected
  const board = async (verify: (t: string) => Promise<UserPrincipal>) => {
    const ds = { getRepository: () => ({ find: async () => [{ id: 'op' }] }) } as unknown as DataSource;
    const access = new BoardAccess({ verify } as unknown as TokenService, ds, undefined);
    const app = Fastify();
    let seenUrl = '';
    await app.register(async (scope) => {
      scope.addHook('onRequest', access.check);
      scope.addHook('onResponse', async (req) => void (seenUrl = req.url));
      scope.get(`${BOARD_PATH}/*`, async () => ({ ok: true }));
    });
    return { app, url: () => seenUrl };
  };

  it('a database error while checking the login is a 503 in the control envelope, not a 401', async () => {
    const { app } = await board(async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')));
    const res = await app.inject({ url: `${BOARD_PATH}/api/queues`, headers: bearer('t') });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '1');
    assert.deepEqual(res.json(), { error: { message: 'Authentication is temporarily unavailable; retry shortly', type: 'server_error', param: null, code: 'service_unavailable' } });
    const identity503 = await (await board(async () => Promise.reject(IdentityError.unavailable(new Error('x'))))).app.inject({ url: `${BOARD_PATH}/x`, headers: bearer('t') });
    assert.equal(identity503.statusCode, 503);
  });

  it('a mangled cookie is a 401; a ?token= never stays in the URL the logs see, whatever the outcome', async () => {
    const { app, url } = await board(async (t) => (t === 'good' ? owner : Promise.reject(IdentityError.unauthenticated())));
    assert.equal((await app.inject({ url: `${BOARD_PATH}/x`, headers: { cookie: 'gw_queue_board=%E0%A4%A' } })).statusCode, 401);
    const bad = await app.inject({ url: `${BOARD_PATH}/x?a=1&token=bad-secret` });
    assert.equal(bad.statusCode, 401);
    assert.equal(url(), `${BOARD_PATH}/x?a=1`);
    const good = await app.inject({ url: `${BOARD_PATH}/x?token=good&a=b+c&token=again` });
    assert.equal(good.statusCode, 401, 'a repeated token parameter is no login');
    const ok = await app.inject({ url: `${BOARD_PATH}/queue/audit?token=good&a=1` });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `${BOARD_PATH}/queue/audit?a=1`);
    assert.equal(url(), `${BOARD_PATH}/queue/audit?a=1`);
  });
});

/** The board over BullMQ's Postgres backend (DATABASE_URL, no REDIS_URL); the Redis case is test/e2e/queue-board. */
describe('queue view /admin/queues (DATABASE_URL + BullMQ on Postgres)', () => {
  const PROMPT = `queue-board-canary-${Date.now()}`;
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let operator: OrgWithRoles;
  let tenant: Bootstrapped;
  let board: string;

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_e2e_queue_board_pg_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, LOG_LEVEL: 'info', CATALOG_JSON: JSON.stringify(e2eCatalog(fake)) });
    operator = await orgWithRoles(gw.info.controlUrl!, dbUrl, 'operator'); // the first organisation: the operator's
    tenant = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'Tenant', '--email', 'owner@tenant.test', '--credits', '1000']);
    board = `${gw.info.controlUrl}${BOARD_PATH}`;
    const call = await chat(gw.info.inferenceUrl!, tenant.api_key.key, { model: 'fake-model', messages: [{ role: 'user', content: PROMPT }] });
    assert.equal(call.status, 200);
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('without a login every path of the board is a 401 in the control envelope', async () => {
    for (const path of ['', '/', '/queue/audit', '/api/queues', '/api/redis/stats', '/static/js/none.js', '/static/favicon.ico']) {
      const res = await get(`${board}${path}`);
      assert.equal(res.status, 401, path);
      const { error } = (await res.json()) as { error: Record<string, unknown> };
      assert.deepEqual({ ...error, message: typeof error.message }, { message: 'string', type: 'invalid_request_error', param: null, code: 'missing_credentials' }, path);
    }
    assert.equal((await get(`${board}/api/queues`, bearer(tenant.api_key.key))).status, 401, 'an API key is not a login');
    assert.equal((await get(`${board}?token=not-a-token`)).status, 401);
  });

  it("the operator's auditor and member, and a tenant's owner, get a 403", async () => {
    const tenantOwner = (await (await fetch(`${gw.info.controlUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: tenant.user.email, password: tenant.password }) })).json()) as { access_token: string };
    for (const [who, token] of [['auditor', operator.tokens.auditor], ['member', operator.tokens.member], ['tenant owner', tenantOwner.access_token]]) {
      for (const path of ['', '/api/queues', '/static/js/none.js']) {
        const res = await get(`${board}${path}`, bearer(token));
        assert.equal(res.status, 403, `${who} ${path}`);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'permission_denied');
      }
    }
  });

  it("the operator's owner and admin see every queue on Postgres, read-only; page, assets, API and logs hold no secret", async () => {
    for (const token of [operator.tokens.owner, operator.tokens.admin]) {
      const res = await get(`${board}/api/queues`, bearer(token));
      assert.equal(res.status, 200);
      const api = (await res.json()) as { queues: Array<{ name: string; readOnlyMode: boolean; allowRetries: boolean }> };
      assert.deepEqual(api.queues.map((q) => q.name).sort(), ['audit', 'audit-connector', 'billing']);
      assert.ok(api.queues.every((q) => q.readOnlyMode && !q.allowRetries));
    }
    const auth = bearer(operator.tokens.owner);
    const stats = (await (await get(`${board}/api/redis/stats`, auth)).json()) as { backend: string };
    assert.equal(stats.backend, 'postgres');
    for (const [method, path] of [['PUT', '/audit/pause'], ['PUT', '/billing/retry/failed'], ['PUT', '/audit/clean/completed'], ['POST', '/audit/add']]) {
      const res = await fetch(`${board}/api/queues${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(res.status, 405, `${method} ${path}`);
    }
    assert.equal((await fetch(`${board}/api/queues/pause`, { method: 'PUT', headers: auth })).status, 200, 'pause-all skips read-only queues');
    const now = (await (await get(`${board}/api/queues`, auth)).json()) as { queues: Array<{ isPaused: boolean }> };
    assert.ok(now.queues.every((q) => !q.isPaused), 'no queue was paused');
    const jobsOf = async (queue: string) => (await get(`${board}/api/queues?activeQueue=${queue}&status=latest&page=1&jobsPerPage=50`, auth)).text();
    assert.ok(await until(async () => (JSON.parse(await jobsOf('audit')) as { queues: Array<{ jobs: unknown[] }> }).queues.some((q) => q.jobs.length > 0)), 'the audit queue shows its jobs');
    const page = await (await get(board, auth)).text();
    const asset = /src="(static\/js\/main\.[^"]+\.js)"/.exec(page)?.[1];
    assert.ok(asset, 'the page names its script');
    const script = await get(`${board}/${asset}`, auth);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const bodies = [page, JSON.stringify(stats), await jobsOf('audit'), await jobsOf('billing'), await jobsOf('audit-connector')].join('\n');
    const secrets = [tenant.api_key.key, operator.apiKey, TEST_JWT_SECRET, 'sk-upstream-secret', tenant.password, PROMPT, ...Object.values(operator.tokens)];
    for (const secret of secrets) assert.ok(!bodies.includes(secret), `the board shows a secret (${secret.slice(0, 6)}…)`);

    const first = await get(`${board}?token=${encodeURIComponent(operator.tokens.owner)}&x=1`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), `${BOARD_PATH}?x=1`);
    assert.match(first.headers.get('set-cookie') ?? '', /^gw_queue_board=[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
    assert.ok(await until(async () => gw.output().includes('"status":303')), 'the access log has the exchange');
    const line = gw.output().split('\n').find((l) => l.includes('"status":303')) ?? '';
    assert.ok(line.includes(`"url":"${BOARD_PATH}?x=1"`), line);
    for (const token of Object.values(operator.tokens)) assert.ok(!gw.output().includes(token), 'a login token in the log');
  });
});
