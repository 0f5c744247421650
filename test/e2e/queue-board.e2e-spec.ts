import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { e2eCatalog } from '../support/e2e-modes';
import { startGateway, TEST_JWT_SECRET, type GatewayProcess } from '../support/gateway-process';
import { chat, controlAs } from '../support/metering-e2e';

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: 'manual' });

/** Issue 13, item 4: Bull Board at /admin/queues, only for the operator organisation's owners and admins. */
describe('queue view /admin/queues (DATABASE_URL + Redis)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let operator: Bootstrapped;
  let tenant: Bootstrapped;
  let board: string;

  before(async () => {
    fake = await startFakeUpstream();
    const dbUrl = await freshDatabase('gw_e2e_queue_board_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(11), CATALOG_JSON: JSON.stringify(e2eCatalog(fake)) });
    operator = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'Operator', '--email', 'ops@operator.test', '--credits', '1000']);
    tenant = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'Tenant', '--email', 'owner@tenant.test', '--credits', '1000']);
    board = `${gw.info.controlUrl}/admin/queues`;
    // Traffic, so the queues hold jobs (and the scrape below has something to leak, if it could).
    assert.equal((await chat(gw.info.inferenceUrl!, tenant.api_key.key, { model: 'fake-model' })).status, 200);
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, gw?.output());
  });

  it('page, JSON API and static assets all need a login', async () => {
    for (const path of ['', '/', '/api/queues', '/static/js/main.js', '/api/redis/stats']) {
      const res = await get(`${board}${path}`);
      assert.equal(res.status, 401, path);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'missing_credentials');
    }
    assert.equal((await get(board, { authorization: 'Bearer not-a-token' })).status, 401);
    assert.equal((await get(board, { authorization: `Bearer ${operator.api_key.key}` })).status, 401, 'an API key is not a login');
  });

  it("a tenant's owner is refused (the queues hold every organisation's jobs); the operator's owner reads them, read-only", async () => {
    const tenantLogin = await controlAs(gw.info.controlUrl!, tenant.user.email, tenant.password);
    const refused = await get(`${board}/api/queues`, { authorization: `Bearer ${tenantLogin.token}` });
    assert.equal(refused.status, 403);

    const op = await controlAs(gw.info.controlUrl!, operator.user.email, operator.password);
    const res = await get(`${board}/api/queues`, { authorization: `Bearer ${op.token}` });
    assert.equal(res.status, 200);
    const text = await res.text();
    const api = JSON.parse(text) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
    assert.deepEqual(api.queues.map((q) => q.name).sort(), ['audit', 'audit-connector', 'billing']);
    assert.ok(api.queues.every((q) => q.readOnlyMode));
    const pause = await fetch(`${board}/api/queues/audit/pause`, { method: 'PUT', headers: { authorization: `Bearer ${op.token}` } });
    assert.ok(pause.status >= 400, `a read-only queue cannot be paused (${pause.status})`);
    for (const secret of [operator.api_key.key, tenant.api_key.key, TEST_JWT_SECRET, 'sk-upstream-secret', op.token]) assert.ok(!text.includes(secret));
  });

  it('a browser: ?token= becomes an HttpOnly SameSite=Strict cookie scoped to the board, and the URL loses it', async () => {
    const op = await controlAs(gw.info.controlUrl!, operator.user.email, operator.password);
    const first = await get(`${board}?token=${encodeURIComponent(op.token)}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/admin/queues');
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^gw_queue_board=[^;]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict/);
    const page = await get(board, { cookie: cookie.split(';')[0] });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /Gateway queues/);
  });
});
