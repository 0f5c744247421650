import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CheckpointSigner, requestEventId } from '@gw/audit';
import type { DataSource } from 'typeorm';
import { ensurePartitions } from '../../libs/audit/src/chain/audit-partitions';
import { insertSql, orgId, SETUP_SQL, slots } from './load-sql';

const DAY_MS = 86_400_000;
/** Rows per INSERT: a few seconds each, so progress shows and no statement holds gigabytes of WAL. */
const CHUNK = 250_000;

export interface LoadResult {
  rows: number;
  start: string;
  end: string;
  insertMs: number;
  rowsPerSecond: number;
  vacuumAnalyzeMs: number;
  hmacColumns: boolean;
  partitions: string[];
}

const one = async <T>(ds: DataSource, sql: string, params: unknown[] = []): Promise<T> => (await ds.query<T[]>(sql, params))[0];

/** Whether the schema keeps the content HMACs in their own columns (migration AuditHmacColumns). */
export async function hasHmacColumns(ds: DataSource): Promise<boolean> {
  const r = await one<{ n: number }>(ds, `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'audit_event' AND column_name IN ('prompt_hmac', 'output_hmac')`);
  return r.n === 2;
}

/**
 * Loads `rows` events spread evenly over the `days` before `end` (created_at), with the chain heads, a checkpoint
 * every 1,000 seq of each org (the writer's AUDIT_CHECKPOINT_EVERY) signed by one key, then VACUUM ANALYZE (the
 * steady state autovacuum reaches on an insert-only table: statistics and a visibility map).
 */
export async function loadTrail(ds: DataSource, rows: number, days: number, log: (m: string) => void): Promise<LoadResult> {
  for (const sql of SETUP_SQL) await ds.query(sql);
  const sample = 'req_0123456789abcdef0123456789abcdef';
  const derived = await one<{ id: string }>(ds, `SELECT bench_uuid8(sha256(convert_to('audit-event:' || $1, 'UTF8')))::text AS id`, [sample]);
  if (derived.id !== requestEventId(sample)) throw new Error(`bench_uuid8 disagrees with requestEventId: ${derived.id}`);
  await ds.query('TRUNCATE bench_slot');
  const s = slots();
  await ds.query(`INSERT INTO bench_slot SELECT * FROM unnest($1::int[], $2::int[], $3::uuid[], $4::int[], $5::int[])`, [
    s.map((x) => x.slot), s.map((x) => x.orgIdx), s.map((x) => orgId(x.orgIdx)), s.map((x) => x.rank), s.map((x) => x.per),
  ]);
  const end = new Date(Math.floor(Date.now() / 1000) * 1000);
  const start = new Date(end.getTime() - days * DAY_MS);
  const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
  const partitions = await ensurePartitions(ds, start, months + 1);
  const hmacColumns = await hasHmacColumns(ds);
  const sql = insertSql(hmacColumns);
  log(`loading ${rows.toLocaleString('en-US')} rows, ${start.toISOString()} .. ${end.toISOString()} (hmac columns: ${hmacColumns})`);
  const t0 = performance.now();
  for (let a = 0; a < rows; a += CHUNK) {
    const b = Math.min(rows, a + CHUNK);
    await ds.query(sql, [a, b, rows, start.toISOString(), end.getTime() - start.getTime()]);
    const s = (performance.now() - t0) / 1000;
    log(`  ${b.toLocaleString('en-US')} rows, ${s.toFixed(0)} s, ${Math.round(b / s).toLocaleString('en-US')} rows/s`);
  }
  const insertMs = performance.now() - t0;
  await chainMetadata(ds);
  log('VACUUM ANALYZE');
  const t1 = performance.now();
  await ds.query('VACUUM ANALYZE audit_event'); // every partition, and the partitioned parent's own statistics
  return { rows, start: start.toISOString(), end: end.toISOString(), insertMs, rowsPerSecond: Math.round((rows / insertMs) * 1000), vacuumAnalyzeMs: performance.now() - t1, hmacColumns, partitions };
}

/** Chain heads and checkpoints, so the export's trailer (head, checkpoints, public keys) reads real rows. */
async function chainMetadata(ds: DataSource): Promise<void> {
  const signer = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
  await ds.query(`INSERT INTO audit_signing_key (key_id, public_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [signer.keyId, signer.publicKeyPem]);
  await ds.query(`
    INSERT INTO audit_chain (org_id, seq, entry_hash, checkpoint_seq, checkpoint_at)
    SELECT org_id, max(seq), sha256(int8send(max(seq))), (max(seq) / 1000) * 1000, max(created_at) FROM audit_event GROUP BY org_id
    ON CONFLICT (org_id) DO NOTHING`);
  await ds.query(`
    INSERT INTO audit_checkpoint (org_id, seq, entry_hash, created_at, key_id, signature)
    SELECT c.org_id, s.seq, sha256(int8send(s.seq)), now(), $1, sha512(int8send(s.seq))
      FROM audit_chain c CROSS JOIN LATERAL generate_series(1000, c.seq, 1000) AS s(seq)
    ON CONFLICT DO NOTHING`, [signer.keyId]);
}

export interface StorageResult {
  rows: number;
  totalBytes: number;
  heapBytes: number;
  toastBytes: number;
  bytesPerRow: number;
  heapBytesPerRow: number;
  indexBytesPerRow: Record<string, number>;
  avgAttributesBytes: number;
  /** Rows per partition (reltuples after VACUUM ANALYZE). */
  partitions: Array<{ name: string; rows: number }>;
}

/** Table + TOAST + indexes over every partition, per row; each index of the parent summed over its partitions. */
export async function storage(ds: DataSource): Promise<StorageResult> {
  const t = await one<{ total: string; heap: string; toast: string; rows: string }>(ds, `
    SELECT sum(pg_total_relation_size(c.oid))::text AS total, sum(pg_relation_size(c.oid))::text AS heap,
           sum(COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0))::text AS toast, (SELECT count(*) FROM audit_event)::text AS rows
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_event'::regclass`);
  const idx = await ds.query<Array<{ name: string; bytes: string }>>(`
    SELECT p.relname AS name, sum(pg_relation_size(i.inhrelid))::text AS bytes
      FROM pg_index x JOIN pg_class p ON p.oid = x.indexrelid JOIN pg_inherits i ON i.inhparent = p.oid
     WHERE x.indrelid = 'audit_event'::regclass GROUP BY p.relname ORDER BY 1`);
  const attrs = await one<{ b: number }>(ds, `SELECT avg(pg_column_size(attributes))::float8 AS b FROM audit_event TABLESAMPLE SYSTEM (1)`);
  const parts = await ds.query<Array<{ name: string; rows: number }>>(`
    SELECT c.relname AS name, GREATEST(c.reltuples, 0)::float8 AS rows FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit_event'::regclass ORDER BY 1`);
  const rows = Number(t.rows);
  return {
    partitions: parts,
    rows,
    totalBytes: Number(t.total),
    heapBytes: Number(t.heap),
    toastBytes: Number(t.toast),
    bytesPerRow: Math.round(Number(t.total) / rows),
    heapBytesPerRow: Math.round(Number(t.heap) / rows),
    indexBytesPerRow: Object.fromEntries(idx.map((r) => [r.name, Math.round(Number(r.bytes) / rows)])),
    avgAttributesBytes: Math.round(attrs?.b ?? 0),
  };
}

/** Rows of each org, largest first (the first is the org the queries and exports read). */
export async function orgRows(ds: DataSource): Promise<Array<{ org: string; rows: number }>> {
  const r = await ds.query<Array<{ org: string; rows: string }>>(`SELECT org_id AS org, seq::text AS rows FROM audit_chain ORDER BY seq DESC`);
  return r.map((x) => ({ org: x.org, rows: Number(x.rows) }));
}
