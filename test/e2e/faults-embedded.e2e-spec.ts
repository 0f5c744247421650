import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, type Bootstrapped } from '../support/bootstrap';
import { balanced, describeBooks, errorLines, failureWindow, loadUntil, readBooks, statusTally, waitForBooks } from '../support/fault-load';
import { killUpstreamMidStream } from '../support/fault-streams';
import { startGateway, type GatewayProcess } from '../support/gateway-process';
import { childPostmasterPid, restartForeignPostmaster } from '../support/embedded-postmaster';

/**
 * Issue 8, Verify: faults with counts in the embedded default (one process, embedded Postgres, BullMQ on
 * Postgres). There is no Redis and no separate control process here; the faults are the upstream dying
 * mid-stream and the database restarting under load (the gateway's own postmaster, restarted behind its back).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUTAGE_MS = 5_000;

describe('faults under load, embedded mode', () => {
  let fake: FakeUpstream;
  let doomed: FakeUpstream;
  let gw: GatewayProcess;
  let dbUrl: string;
  let restarted: { stop(): Promise<void> } | undefined;
  const org = (name: string): Promise<Bootstrapped> =>
    bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', name, '--email', `${name}@faults.test`, '--credits', '100000']);

  before(async () => {
    fake = await startFakeUpstream();
    doomed = await startFakeUpstream({ slowChunks: 400, chunkIntervalMs: 50 });
    const provider = (id: string, f: FakeUpstream) => ({ id, kind: 'openai-compatible', base_url: `${f.url}/v1`, timeout_ms: 10_000 });
    const catalog = {
      providers: [provider('fake', fake), provider('doomed', doomed)],
      models: [
        { id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' },
        { id: 'doomed-slow', provider: 'doomed', upstream_model: 'slow-stream' },
      ],
    };
    gw = await startGateway({ CATALOG_JSON: JSON.stringify(catalog), RATE_LIMIT_KEY: '1000000' });
    dbUrl = gw.info.databaseUrl!;
  });

  after(async () => {
    await gw?.stop();
    await restarted?.stop(); // the gateway no longer knows the postmaster we restarted
    await fake?.close();
    await doomed?.close();
  });

  it('upstream killed with 20 streams open: an in-stream error each, one error audit row and one ledger row each', async (t) => {
    const o = await org('upstream-kill');
    const r = await killUpstreamMidStream(gw.info.inferenceUrl!, o.api_key.key, dbUrl, 'doomed-slow', 20, () => doomed.close());
    t.diagnostic(`upstream killed mid-stream (embedded): ${JSON.stringify(r)}`);
    assert.equal(r.properErrors, 20, 'every client gets its surface’s in-stream error');
    assert.equal(r.chargeTold, 20, 'the error frame carries the charge');
    assert.deepEqual([r.audit, r.auditError, r.ledger, r.ledgerMatchesGenerated], [20, 20, 20, 20], JSON.stringify(r.mismatches));
    const books = await readBooks(dbUrl, o.organization.id, []);
    assert.deepEqual([books.reserved, books.balance], [0, books.ledgerSum]);
  });

  it('Postgres restarted under load (5 s down): 503 while down, queues on Postgres buffer and retry, nothing is lost', async (t) => {
    const o = await org('pg-restart');
    let done = false;
    const load = loadUntil([gw.info.inferenceUrl!], o.api_key.key, 'fake-model', 4, () => done);
    await sleep(1_000);
    const downAt = Date.now();
    const upAt = await restartForeignPostmaster(childPostmasterPid(gw.info.pid), OUTAGE_MS)
      .then(async (handle) => {
        restarted = handle;
        await sleep(1_000);
        return handle.upAt;
      })
      .finally(() => (done = true));
    const outcomes = await load;
    const died = gw.child.exitCode !== null || gw.child.signalCode !== null;
    // On failure: the process's own errors first (the tail alone is mostly the 503s it answered while down).
    const errors = () => gw.output().split('\n').filter((l) => /"level":[56]0/.test(l) && !l.includes('"msg":"request failed"')).slice(0, 10).join('\n');
    assert.ok(!died, `the gateway survives the database restart (exit ${gw.child.exitCode ?? gw.child.signalCode}; ${JSON.stringify(statusTally(outcomes))}):\n${errors()}\n…\n${gw.output().slice(-2000)}`);
    const { books, ok, at } = await waitForBooks(dbUrl, o.organization.id, outcomes, 60_000);
    t.diagnostic(describeBooks('Postgres restarted (embedded)', outcomes, books, at - upAt));
    t.diagnostic(`Postgres restarted (embedded): ${failureWindow(outcomes, downAt, upAt)}`);
    assert.ok(ok && balanced(books), `books balance after Postgres returned: ${JSON.stringify(books)}`);
    const others = outcomes.filter((c) => c.status !== 200 && c.status !== 503);
    assert.deepEqual(others.slice(0, 3), [], `only 200 and 503 while Postgres is down: ${JSON.stringify(statusTally(outcomes))}\n${errorLines(gw.output()).join('\n')}`);
    assert.ok(books.refused > 0, 'calls admitted while Postgres was down are refused (credits fail closed)');
    assert.equal((await fetch(`${gw.info.inferenceUrl}/health/ready`)).status, 200, 'ready again');
  });
});
