import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, readBootstrap } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { balanceAndLedgerSum, query, until } from '../support/metering-e2e';

/**
 * Issue 8, reproducer 6: SIGKILL of an inference process with 50 streams in flight. Every call ends with
 * one `gateway_lost` audit row and one ledger row charging what was streamed (never more than its
 * hold), no hold is left, and balance = ledger sum: through a peer's sweeper (production) or the
 * restarted process itself (embedded). Short heartbeat thresholds keep it fast; the defaults are 5 s / 15 s.
 */
const N = 50;
const FAST = { REPLICA_HEARTBEAT_MS: '300', REPLICA_STALE_MS: '1500', REPLICA_CHECKPOINT_MS: '200' };
const GOAL_MS = 60_000;

const BODIES = [
  ['/v1/chat/completions', { messages: [{ role: 'user', content: 'go' }], max_tokens: 600 }],
  ['/v1/responses', { input: 'go', max_output_tokens: 600 }],
  ['/v1/messages', { messages: [{ role: 'user', content: 'go' }], max_tokens: 600 }],
] as const;

interface Flight {
  requestId: string;
  ticks: number;
  ended: Promise<void>;
}

/** Opens `N` streams over the three surfaces; each counts the deltas it received until its connection ends. */
async function openStreams(baseUrl: string, key: string): Promise<Flight[]> {
  return Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const [path, extra] = BODIES[i % BODIES.length];
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'abliterated-model', stream: true, ...extra }),
      });
      if (res.status !== 200) assert.fail(`${path}: ${res.status} ${await res.text()}`);
      const flight: Flight = { requestId: res.headers.get('x-request-id')!, ticks: 0, ended: Promise.resolve() };
      flight.ended = (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) flight.ticks += decoder.decode(chunk).split('tick').length - 1;
        } catch {
          // the gateway was killed: the connection resets
        }
      })();
      return flight;
    }),
  );
}

/** Streams received deltas and the gateway checkpointed progress for all of them: the state a crash must not lose. */
async function inFlightWithProgress(dbUrl: string, flights: Flight[]): Promise<Map<string, number>> {
  assert.ok(await until(async () => flights.every((f) => f.ticks >= 3), 15_000), 'every stream received deltas');
  const ids = flights.map((f) => f.requestId);
  const sql = 'SELECT request_id, credits FROM credit_reservation WHERE request_id = ANY($1) AND output_tokens >= 3';
  let rows: Array<{ request_id: string; credits: string }> = [];
  assert.ok(await until(async () => (rows = await query(dbUrl, sql, [ids])).length === N, 10_000), `progress checkpointed: ${rows.length}`);
  return new Map(rows.map((r) => [r.request_id, Number(r.credits)]));
}

/** Waits for the recovery, then checks the books; returns how long it took. */
async function assertRecovered(dbUrl: string, orgId: string, held: Map<string, number>, killedAt: number): Promise<number> {
  const ids = [...held.keys()];
  const count = async (sql: string) => Number((await query<{ n: string }>(dbUrl, sql, [ids]))[0].n);
  const done = await until(
    async () =>
      (await count('SELECT count(*) AS n FROM audit_event WHERE request_id = ANY($1)')) === N &&
      (await count('SELECT count(*) AS n FROM credit_reservation WHERE request_id = ANY($1)')) === 0,
    GOAL_MS,
  );
  const recoveryMs = Date.now() - killedAt;
  assert.ok(done, `recovered within ${GOAL_MS} ms`);
  const audit = await query<{ request_id: string; status: string; output_tokens: number }>(
    dbUrl,
    'SELECT request_id, status, output_tokens FROM audit_event WHERE request_id = ANY($1)',
    [ids],
  );
  assert.deepEqual([...new Set(audit.map((a) => a.status))], ['gateway_lost']);
  const ledger = await query<{ entry_id: string; credits: string; output_tokens: number }>(
    dbUrl,
    'SELECT entry_id, credits, output_tokens FROM credit_ledger WHERE entry_id = ANY($1)',
    [ids],
  );
  assert.equal(ledger.length, N, 'one ledger row per call that reached the upstream');
  for (const row of ledger) {
    const charged = -Number(row.credits);
    assert.ok(charged >= 1 && charged <= held.get(row.entry_id)!, `${row.entry_id}: ${charged} of ${held.get(row.entry_id)}`);
    assert.ok(row.output_tokens >= 3, 'what was streamed is charged');
  }
  assert.equal(await count('SELECT count(*) AS n FROM credit_reservation WHERE request_id = ANY($1)'), 0);
  const { balance, ledgerSum } = await balanceAndLedgerSum(dbUrl, orgId);
  assert.equal(balance, ledgerSum);
  return recoveryMs;
}

describe('crash recovery: SIGKILL with 50 streams in flight', () => {
  let fake: FakeUpstream;
  const running: GatewayProcess[] = [];
  const upstream = () => ({ UPSTREAM_BASE_URL: `${fake.url}/v1`, UPSTREAM_MODEL: 'slow-stream', ...FAST });

  before(async () => {
    fake = await startFakeUpstream({ slowChunks: 400, chunkIntervalMs: 50 });
  });

  after(async () => {
    for (const gw of running) await gw.stop().catch(() => undefined);
    await fake?.close();
  });

  async function start(env: Record<string, string>): Promise<GatewayProcess> {
    const gw = await startGateway(env);
    running.push(gw);
    return gw;
  }

  it('production: the control plane notices the dead inference replica and settles its calls', async (t) => {
    const dbUrl = await freshDatabase('gw_crash_test_e2e_prod');
    const env = { ...upstream(), DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(5) };
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'crash', '--email', 'crash@example.com', '--credits', '100000']);
    await start({ ...env, GATEWAY_ROLE: 'control' });
    const inference = await start({ ...env, GATEWAY_ROLE: 'inference' });
    const flights = await openStreams(inference.info.inferenceUrl!, boot.api_key.key);
    const held = await inFlightWithProgress(dbUrl, flights);
    inference.child.kill('SIGKILL');
    const killedAt = Date.now();
    await Promise.all(flights.map((f) => f.ended));
    const ms = await assertRecovered(dbUrl, boot.organization.id, held, killedAt);
    t.diagnostic(`production recovery after SIGKILL: ${ms} ms (stale threshold ${FAST.REPLICA_STALE_MS} ms)`);
  });

  it('embedded: the restarted process recovers its predecessor’s calls at boot', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-crash-'));
    const first = await start({ ...upstream(), DATA_DIR: dataDir });
    const boot = readBootstrap(dataDir);
    const flights = await openStreams(first.info.inferenceUrl!, boot.api_key.key);
    const held = await inFlightWithProgress(first.info.databaseUrl!, flights);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await Promise.all(flights.map((f) => f.ended));
    const second = await start({ ...upstream(), DATA_DIR: dataDir });
    const restartMs = Date.now() - killedAt;
    const ms = await assertRecovered(second.info.databaseUrl!, boot.organization.id, held, killedAt);
    t.diagnostic(`embedded recovery after SIGKILL: ${ms} ms, of which ${restartMs} ms until the restarted process was ready`);
    assert.equal(await second.stop(), 0, second.output());
  });
});
