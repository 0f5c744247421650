/** What the S8 soak watches besides latency: the target's RSS every second, Redis memory and Postgres sizes. */
import Redis from 'ioredis';
import { Client } from 'pg';
import { rssMb } from './proc-stats';

export interface RssSample {
  t: number;
  mib: number;
}

/** Samples VmRSS of `pid` every second until `stop()`. */
export function sampleRss(pid: number): { stop(): RssSample[] } {
  const t0 = Date.now();
  const samples: RssSample[] = [];
  const timer = setInterval(() => samples.push({ t: (Date.now() - t0) / 1000, mib: rssMb(pid) }), 1_000);
  return {
    stop() {
      clearInterval(timer);
      return samples.filter((s) => Number.isFinite(s.mib));
    },
  };
}

/** Least-squares slope of y over x (NaN with fewer than two points). */
export function slope(points: Array<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

export interface StoreSizes {
  /** used_memory of the whole Redis instance (shared with other databases on it), bytes; NaN without Redis. */
  redisUsedBytes: number;
  /** Keys of the gateway's own logical database. */
  redisKeys: number;
  databaseBytes: number;
  auditBytes: number;
  ledgerBytes: number;
  auditRows: number;
}

export async function storeSizes(databaseUrl: string | undefined, redisUrl: string | undefined): Promise<StoreSizes> {
  const out: StoreSizes = { redisUsedBytes: NaN, redisKeys: NaN, databaseBytes: NaN, auditBytes: NaN, ledgerBytes: NaN, auditRows: NaN };
  if (redisUrl) {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      out.redisUsedBytes = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
      out.redisKeys = await redis.dbsize();
    } finally {
      redis.disconnect();
    }
  }
  if (databaseUrl) {
    const pg = new Client({ connectionString: databaseUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ db: string; audit: string; ledger: string; n: string }>(
        `SELECT pg_database_size(current_database()) AS db, pg_total_relation_size('audit_event') AS audit,
                pg_total_relation_size('credit_ledger') AS ledger, (SELECT count(*) FROM audit_event) AS n`,
      );
      out.databaseBytes = Number(rows[0].db);
      out.auditBytes = Number(rows[0].audit);
      out.ledgerBytes = Number(rows[0].ledger);
      out.auditRows = Number(rows[0].n);
    } finally {
      await pg.end();
    }
  }
  return out;
}
