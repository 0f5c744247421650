/**
 * S7 audit drain (performance.md §S7): the audit path alone, on real Postgres and a real queue.
 * 1. paced: RATE records/s for SECONDS through the producer → queue → chain writer; then the lag
 *    (commit − request end) p50/p99 from the rows, and zero lost / zero duplicated;
 * 2. burst: BURST records enqueued with the worker stopped, then drained: rows/s and WAL bytes per row;
 * 3. bytes per row (table + indexes, every partition) and the chain's CPU per row (hash) and per checkpoint (sign).
 * Usage: node dist/bench/s7-audit.js [--quick] [--queue=redis|postgres] [--rate=1000] [--seconds=60] [--burst=50000]
 */
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CheckpointSigner, entryHash, recordToEvent, type AuditRecord } from '@gw/audit';
import { loadConfig } from '@gw/config';
import { createDataSource } from '@gw/database';
import { configureQueueBackend } from '@gw/queue';
import type { DataSource } from 'typeorm';
import { makeAuditRecord, startAuditPipeline } from '../libs/audit/src/testing';
import { createTestDatabase } from '../libs/database/src/testing';
import { uniqueQueuePrefix } from '../libs/queue/src/testing';

const { values: a } = parseArgs({ options: { quick: { type: 'boolean' }, queue: { type: 'string', default: 'redis' }, rate: { type: 'string' }, seconds: { type: 'string' }, burst: { type: 'string' } } });
const RATE = Number(a.rate ?? 1_000);
const SECONDS = Number(a.seconds ?? (a.quick ? 10 : 60));
const BURST = Number(a.burst ?? (a.quick ? 20_000 : 100_000));
const ORGS = Array.from({ length: 10 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const POLICY = { policy_id: 'support-bot', policy_version: 3, decision: 'allow', effective_decision: 'allow', enforced: true, reason_code: 'ALLOW', rollout_mode: 'enforced', triggered_categories: [], allowlist_hits: [], denylist_hits: [], redactions: { EMAIL: 1 }, policy_target: 'support', policy_user: 'user_42', quota_subject: 'user_42', project_id: 'proj_support_bot', project_label: 'Support Bot' };
const log = (m: string) => process.stderr.write(`[s7] ${m}\n`);

let n = 0;
function record(): AuditRecord {
  const i = n++;
  // Every request of an organisation carries its prompt and output HMACs (64 hex each), as the inference plane's do.
  const hmacs = { prompt_hmac: randomBytes(32).toString('hex'), output_hmac: randomBytes(32).toString('hex') };
  return { ...makeAuditRecord({ attributes: i % 2 ? { policy: POLICY, ...hmacs } : hmacs }), v: 2, eventType: 'enforcement', orgId: ORGS[i % ORGS.length], projectId: i % 2 ? 'proj_support_bot' : null, principal: { kind: 'api_key', keyId: `k${i % 50}`, userId: null } };
}

const one = async <T>(ds: DataSource, sql: string): Promise<T> => {
  const [row] = await ds.query<T[]>(sql);
  if (row === undefined) throw new Error(`no row: ${sql}`);
  return row;
};
const count = (ds: DataSource) => one<{ n: number }>(ds, 'SELECT count(*)::int AS n FROM audit_event').then((r) => r.n);
async function waitRows(ds: DataSource, target: number, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if ((await count(ds)) >= target) return performance.now() - t0;
    await sleep(20);
  }
  throw new Error(`only ${await count(ds)} of ${target} rows after ${timeoutMs} ms`);
}

function micro(): { hashUs: number; signUs: number } {
  const events = Array.from({ length: 5_000 }, () => ({ ...recordToEvent(record()), seq: 1, prev_hash: '0'.repeat(64), created_at: new Date().toISOString() }));
  let t = performance.now();
  for (const e of events) entryHash(e);
  const hashUs = ((performance.now() - t) * 1000) / events.length;
  const signer = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
  t = performance.now();
  for (let i = 0; i < 2_000; i++) signer.sign({ org_id: ORGS[0], seq: i, entry_hash: '0'.repeat(64), created_at: new Date().toISOString() });
  return { hashUs, signUs: ((performance.now() - t) * 1000) / 2_000 };
}

async function main(): Promise<void> {
  const db = await createTestDatabase({ name: `gw_bench_s7_test_${Date.now().toString(36)}` });
  const ds = await createDataSource(db.url, 8).initialize();
  const config = loadConfig(a.queue === 'redis' ? { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:6379/9' } : { DATABASE_URL: db.url });
  const qc = configureQueueBackend(config, db.url, { prefix: uniqueQueuePrefix('gwbench') });
  const out: Record<string, unknown> = { queue: a.queue, rate: RATE, seconds: SECONDS, burst: BURST };
  try {
    log(`paced: ${RATE}/s for ${SECONDS} s (${a.queue} queue)`);
    let p = startAuditPipeline(qc, ds);
    const t0 = performance.now();
    for (let s = 0; s < SECONDS * 50; s++) {
      for (let i = 0; i < RATE / 50; i++) p.producer.record(record());
      const due = t0 + (s + 1) * 20;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    await waitRows(ds, n, 120_000);
    const lag = await one<{ p50: number; p99: number; max: number }>(ds, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::float8 AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::float8 AS p99, max(ms)::float8 AS max
      FROM (SELECT extract(epoch FROM created_at - occurred_at) * 1000 AS ms FROM audit_event) x`);
    out.paced = { sent: n, rows: await count(ds), lagMs: lag };
    await p.close({ obliterate: true });

    log(`burst: ${BURST} records queued, then drained`);
    p = startAuditPipeline(qc, ds, { startWorker: false });
    const before = await count(ds);
    for (let i = 0; i < BURST; i++) p.producer.record(record());
    await p.producer.flush(120_000);
    await sleep(1_000);
    const wal0 = await one<{ lsn: string }>(ds, 'SELECT pg_current_wal_lsn()::text AS lsn');
    p.processor.start();
    const ms = await waitRows(ds, before + BURST, 600_000);
    const wal = await one<{ bytes: string }>(ds, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '${wal0.lsn}')::bigint::text AS bytes`);
    out.burst = { rows: BURST, ms: Math.round(ms), rowsPerSecond: Math.round((BURST / ms) * 1000), walBytesPerRow: Math.round(Number(wal.bytes) / BURST) };
    await p.close({ obliterate: true });

    await ds.query('VACUUM ANALYZE audit_event');
    const size = await one<{ bytes: string; heap: string; rows: number }>(ds, `SELECT sum(pg_total_relation_size(c.oid))::text AS bytes, sum(pg_relation_size(c.oid))::text AS heap, (SELECT count(*)::int FROM audit_event) AS rows
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_event'::regclass`);
    const dup = await one<{ n: number }>(ds, `SELECT count(*)::int AS n FROM (SELECT event_id FROM audit_event GROUP BY event_id HAVING count(*) > 1) d`);
    out.storage = { rows: size.rows, bytesPerRow: Math.round(Number(size.bytes) / size.rows), heapBytesPerRow: Math.round(Number(size.heap) / size.rows), duplicates: dup.n, lost: n - size.rows };
    out.chain = micro();
    const dir = resolve(__dirname, '../../bench/out');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `s7-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(out, null, 2));
    process.stdout.write(`${render(out)}\n`);
  } finally {
    await ds.destroy();
    await db.drop();
  }
}

function render(o: Record<string, unknown>): string {
  const paced = o.paced as { sent: number; rows: number; lagMs: { p50: number; p99: number; max: number } };
  const burst = o.burst as { rows: number; rowsPerSecond: number; walBytesPerRow: number };
  const st = o.storage as { bytesPerRow: number; heapBytesPerRow: number; duplicates: number; lost: number };
  const ch = o.chain as { hashUs: number; signUs: number };
  return [
    `### S7 audit drain (${String(o.queue)} queue)`,
    '| Figure | Value |',
    '|---|---|',
    `| paced ${String(o.rate)}/s × ${String(o.seconds)} s: rows / sent | ${paced.rows} / ${paced.sent} |`,
    `| lag (commit − request end) p50 / p99 / max | ${paced.lagMs.p50.toFixed(0)} / ${paced.lagMs.p99.toFixed(0)} / ${paced.lagMs.max.toFixed(0)} ms |`,
    `| burst drain, ${burst.rows} rows | ${burst.rowsPerSecond} rows/s |`,
    `| WAL bytes per row (burst) | ${burst.walBytesPerRow} |`,
    `| bytes per row, table + indexes (heap only) | ${st.bytesPerRow} (${st.heapBytesPerRow}) |`,
    `| lost / duplicated | ${st.lost} / ${st.duplicates} |`,
    `| chain CPU per row (JCS + SHA-256) / per checkpoint (Ed25519 sign) | ${ch.hashUs.toFixed(1)} µs / ${ch.signUs.toFixed(1)} µs |`,
  ].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`[s7] failed: ${String(err)}\n`);
  process.exit(1);
});
