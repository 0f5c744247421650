import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { balanceAndLedgerSum, chat, controlAs, expectedCostUsd, expectedCredits, query, reservedCredits, until, type CreditFields } from '../support/metering-e2e';

type Usage = { total_tokens: number };
interface LedgerRow { entry_id: string; kind: string; credits: string; cost_usd: string; input_tokens: number; output_tokens: number }

/** Issue #3, Verify 2 + 3 + 4: credit fields, exact admission under concurrency, one ledger row per request (production mode). */
describe('billing: credit fields, concurrency and the ledger (e2e)', () => {
  let fake: FakeUpstream;
  let gw: GatewayProcess;
  let dbUrl: string;
  let rich: Bootstrapped;
  let client: OpenAI;
  const billed = new Map<string, CreditFields & { usage: Usage }>();

  const checkFields = (f: Partial<CreditFields> | undefined, usage: Usage | null | undefined, where: string) => {
    assert.ok(f && usage, `${where}: credit fields and usage`);
    assert.equal(f.estimated_credits_used, expectedCredits(usage.total_tokens), `${where}: credits for ${usage.total_tokens} tokens`);
    assert.ok(Math.abs(f.estimated_cost_usd! - expectedCostUsd(usage.total_tokens)) < 1e-9, `${where}: cost ${f.estimated_cost_usd}`);
    assert.ok(Number.isInteger(f.remaining_credits) && f.remaining_credits! >= 0, `${where}: remaining ${f.remaining_credits}`);
  };

  before(async () => {
    fake = await startFakeUpstream();
    dbUrl = await freshDatabase('gw_e2e_billing_credits_test');
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(9), UPSTREAM_BASE_URL: `${fake.url}/v1`, UPSTREAM_MODEL: 'fake-model' });
    rich = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'rich', '--email', 'owner@rich.test', '--credits', '100000']);
    client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: rich.api_key.key, maxRetries: 0 });
  });

  after(async () => {
    const code = await gw?.stop();
    await fake?.close();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('non-stream, stream with include_usage and stream without it carry the three fields; remaining_credits decreases', async () => {
    // ~606 prompt + up to 600 completion tokens: more than one credit, so ceil() is exercised.
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'x'.repeat(2400) }];
    const { data, response } = await client.chat.completions.create({ model: 'abliterated-model', messages, max_tokens: 600 }).withResponse();
    const body = data as typeof data & CreditFields;
    checkFields(body, data.usage, 'non-stream');
    assert.ok(body.estimated_credits_used > 1, `expected a multi-credit call, got ${body.estimated_credits_used}`);
    billed.set(response.headers.get('x-request-id')!, { ...body, usage: data.usage! });

    for (const includeUsage of [true, false]) {
      const where = includeUsage ? 'stream + include_usage' : 'stream';
      const { data: stream, response: res } = await client.chat.completions
        .create({ model: 'abliterated-model', messages, max_tokens: 600, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) })
        .withResponse();
      const carriers: Array<OpenAI.Chat.ChatCompletionChunk & Partial<CreditFields>> = [];
      let finishChunk: (OpenAI.Chat.ChatCompletionChunk & Partial<CreditFields>) | undefined;
      for await (const chunk of stream) {
        const c = chunk as typeof chunk & Partial<CreditFields>;
        if (c.remaining_credits !== undefined || c.estimated_credits_used !== undefined || c.estimated_cost_usd !== undefined) carriers.push(c);
        if (c.choices[0]?.finish_reason) finishChunk = c;
      }
      assert.equal(carriers.length, 1, `${where}: exactly one chunk carries the credit fields`);
      const carrier = carriers[0];
      assert.ok(carrier.usage, `${where}: the carrier is the usage chunk`);
      if (includeUsage) assert.equal(carrier.choices.length, 0, `${where}: carried by the choices: [] chunk`);
      else assert.equal(carrier, finishChunk, `${where}: carried by the finish_reason chunk`);
      checkFields(carrier, carrier.usage, where);
      billed.set(res.headers.get('x-request-id')!, { ...(carrier as CreditFields), usage: carrier.usage });
    }
    const remaining = [...billed.values()].map((b) => b.remaining_credits);
    assert.ok(remaining.every((r, i) => i === 0 || r < remaining[i - 1]), `remaining_credits decreases: ${remaining.join(' > ')}`);
    assert.ok(remaining[0] < 100_000);
  });

  it('the ledger holds exactly one usage row per billed request, priced as the response said', async () => {
    const ids = [...billed.keys()];
    const rows = await waitForRows<LedgerRow>(dbUrl, 'SELECT entry_id, kind, credits, cost_usd, input_tokens, output_tokens FROM credit_ledger WHERE entry_id = ANY($1)', [ids], ids.length);
    assert.equal(rows.length, ids.length);
    for (const row of rows) {
      const b = billed.get(row.entry_id)!;
      assert.equal(row.kind, 'usage');
      assert.equal(Number(row.credits), -b.estimated_credits_used, row.entry_id);
      assert.ok(Math.abs(Number(row.cost_usd) - b.estimated_cost_usd) < 1e-9, `${row.cost_usd} vs ${b.estimated_cost_usd}`);
      assert.equal(row.input_tokens + row.output_tokens, b.usage.total_tokens);
    }
  });

  it('10 credits, 50 parallel calls: exactly 10 served, 40 refused with 402; the balance equals the ledger sum', async () => {
    const poor = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'poor', '--email', 'owner@poor.test', '--credits', '10']);
    const calls = await Promise.all(Array.from({ length: 50 }, () => chat(gw.info.inferenceUrl!, poor.api_key.key, { max_tokens: 16 })));
    const ok = calls.filter((c) => c.status === 200);
    const refused = calls.filter((c) => c.status === 402);
    assert.equal(ok.length, 10, `statuses: ${calls.map((c) => c.status).join(',')}`);
    assert.equal(refused.length, 40);
    for (const r of refused) assert.equal(r.body.error.code, 'insufficient_credits', JSON.stringify(r.body));
    for (const c of ok) checkFields(c.body, c.body.usage, 'parallel call');
    assert.ok(ok.every((c) => c.body.estimated_credits_used === 1), 'each small call costs exactly one credit');

    const orgId = poor.organization.id;
    const drained = await until(async () => {
      const [{ n }] = await query<{ n: string }>(dbUrl, "SELECT count(*) AS n FROM credit_ledger WHERE org_id = $1 AND kind = 'usage'", [orgId]);
      return (await reservedCredits(dbUrl, orgId)) === 0 && Number(n) >= 10;
    });
    assert.ok(drained, 'the billing queue drains: nothing reserved any more and 10 usage rows');
    const acc = await balanceAndLedgerSum(dbUrl, orgId);
    const ledger = await query<LedgerRow>(dbUrl, 'SELECT entry_id, kind, credits, cost_usd, input_tokens, output_tokens FROM credit_ledger WHERE org_id = $1', [orgId]);
    assert.equal(acc.balance, ledger.reduce((s, r) => s + Number(r.credits), 0), 'balance = sum(ledger)');
    assert.equal(acc.ledgerSum, acc.balance);
    assert.equal(acc.balance, 0, 'ten one-credit calls spend the ten credits');
    assert.deepEqual(ledger.filter((r) => r.kind === 'grant').map((r) => Number(r.credits)), [10]);

    const okIds = ok.map((c) => c.headers.get('x-request-id')!);
    const allIds = calls.map((c) => c.headers.get('x-request-id')!);
    assert.equal(new Set(allIds).size, 50);
    const usage = ledger.filter((r) => r.kind === 'usage' && Number(r.credits) !== 0);
    assert.deepEqual(usage.map((r) => r.entry_id).sort(), [...okIds].sort(), 'one charged row per served call, none for refused calls');
    const perId = await query<{ entry_id: string; n: string }>(dbUrl, 'SELECT entry_id, count(*) AS n FROM credit_ledger WHERE entry_id = ANY($1) GROUP BY entry_id', [allIds]);
    assert.ok(perId.every((r) => r.n === '1'), 'no request id has two ledger rows');

    const control = await controlAs(gw.info.controlUrl!, poor.user.email, poor.password);
    const api = await control.call('GET', '/api/credits');
    assert.equal(api.status, 200);
    assert.deepEqual([api.body.balance, api.body.reserved, api.body.available].map(Number), [acc.balance, 0, acc.balance]);
    const usageApi = await control.call('GET', '/api/usage');
    assert.equal(usageApi.status, 200);
    const requests = (usageApi.body.data as Array<{ requests: number | string }>).reduce((s, r) => s + Number(r.requests), 0);
    assert.ok(requests >= 10, `GET /api/usage counts the served calls: ${JSON.stringify(usageApi.body)}`);
  });

  it('a busy organisation is served from a credit lease (CREDIT_LEASES, on by default), given back when idle, exact in the books', async () => {
    const busy = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'busy', '--email', 'owner@busy.test', '--credits', '100000']);
    const orgId = busy.organization.id;
    const c = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: busy.api_key.key, maxRetries: 0 });
    const remaining: number[] = [];
    for (let i = 0; i < 30; i++) {
      const r = (await c.chat.completions.create({ model: 'abliterated-model', messages: [{ role: 'user', content: `call ${i}` }], max_tokens: 50 })) as OpenAI.Chat.ChatCompletion & CreditFields;
      remaining.push(r.remaining_credits);
    }
    const [lease] = await query<{ credits: string }>(dbUrl, 'SELECT credits FROM credit_reservation WHERE org_id = $1 AND lease', [orgId]);
    assert.ok(lease && Number(lease.credits) > 0, 'the replica holds a lease for the organisation');
    for (let i = 1; i < remaining.length; i++) assert.ok(remaining[i] < remaining[i - 1], `remaining_credits decreases: ${remaining.join(' > ')}`);
    const control = await controlAs(gw.info.controlUrl!, busy.user.email, busy.password);
    const held = await control.call('GET', '/api/credits');
    assert.equal(Number(held.body.available), Number(held.body.balance) - Number(held.body.reserved) - Number(held.body.leased));
    // Idle for 2 s: the unused part goes back; the calls' charges have landed, so nothing stays held.
    const idle = await until(async () => {
      const b = await control.call('GET', '/api/credits');
      return Number(b.body.leased) === 0 && Number(b.body.reserved) === 0;
    }, 15_000);
    assert.ok(idle, 'an idle lease is given back');
    const acc = await balanceAndLedgerSum(dbUrl, orgId);
    assert.equal(acc.balance, acc.ledgerSum);
    assert.equal(100_000 - acc.balance, 30, 'thirty one-credit calls');
    const api = await control.call('GET', '/api/credits');
    assert.deepEqual([api.body.balance, api.body.reserved, api.body.leased, api.body.available].map(Number), [acc.balance, 0, 0, acc.balance]);
  });
});
