import type { TxClient } from './chain-writer';

/** Monthly partitions of audit_event with their upper bounds (from the catalog; bounds parsed by Postgres). */
const PARTITIONS_SQL = `
SELECT c.relname AS name, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
 WHERE p.relname = 'audit_event' ORDER BY upper`;

/**
 * Global retention: drops each partition whose whole month ended before `cutoff`, in one transaction per partition
 * that first moves every affected org's `retained_from` past the partition's last seq (verify then knows those
 * seqs were retired, not deleted). @returns the partitions dropped.
 */
export async function dropExpiredPartitions(run: <T>(work: (tx: TxClient) => Promise<T>) => Promise<T>, db: TxClient, cutoff: Date): Promise<string[]> {
  const parts = (await db.query(PARTITIONS_SQL)) as Array<{ name: string; upper: Date | null }>;
  const dropped: string[] = [];
  for (const p of parts) {
    const upper = p.upper;
    if (!upper || upper.getTime() > cutoff.getTime() || !/^audit_event_\d{4}_\d{2}$/.test(p.name)) continue;
    await run(async (tx) => {
      await tx.query(`LOCK TABLE "${p.name}" IN ACCESS EXCLUSIVE MODE`);
      await tx.query(
        `UPDATE audit_chain c SET retained_from = GREATEST(c.retained_from, m.last + 1)
           FROM (SELECT org_id, max(seq) AS last FROM "${p.name}" GROUP BY org_id) m WHERE c.org_id = m.org_id`,
      );
      // Retained content goes with its events (its created_at is theirs, so it lies in the same month).
      await tx.query(`DELETE FROM audit_content WHERE created_at < $1`, [upper]);
      await tx.query(`DROP TABLE "${p.name}"`);
    });
    dropped.push(p.name);
  }
  return dropped;
}

/**
 * Per-organisation retention (`audit_chain.retention_days`, shorter than the global one): deletes the org's oldest
 * events, always a prefix of its chain (every seq below the first one young enough to keep), in batches, with their
 * retained content, and moves `retained_from` with each batch. @returns events deleted.
 */
export async function applyOrgRetention(run: <T>(work: (tx: TxClient) => Promise<T>) => Promise<T>, db: TxClient, now: Date, batch = 5_000): Promise<number> {
  const orgs = (await db.query(`SELECT org_id, retention_days FROM audit_chain WHERE retention_days IS NOT NULL ORDER BY org_id`)) as Array<{ org_id: string; retention_days: number }>;
  let total = 0;
  for (const o of orgs) {
    const cutoff = new Date(now.getTime() - o.retention_days * 86_400_000);
    for (;;) {
      const n = await run(async (tx) => {
        const [keep] = (await tx.query(
          `SELECT COALESCE(min(seq), (SELECT seq + 1 FROM audit_chain WHERE org_id = $1)) AS first FROM audit_event WHERE org_id = $1 AND created_at >= $2`,
          [o.org_id, cutoff],
        )) as Array<{ first: string }>;
        // A CTE, so the driver answers rows (a bare DELETE … RETURNING comes back as [rows, count] through TypeORM).
        const [gone] = (await tx.query(
          `WITH d AS (DELETE FROM audit_event WHERE org_id = $1 AND seq IN (SELECT seq FROM audit_event WHERE org_id = $1 AND seq < $2 ORDER BY seq LIMIT $3) RETURNING seq, event_id),
                c AS (DELETE FROM audit_content WHERE org_id = $1 AND event_id IN (SELECT event_id FROM d))
           SELECT count(*)::int AS n, max(seq)::text AS last FROM d`,
          [o.org_id, keep.first, batch],
        )) as Array<{ n: number; last: string | null }>;
        if (gone.n) await tx.query(`UPDATE audit_chain SET retained_from = GREATEST(retained_from, $2::bigint + 1) WHERE org_id = $1`, [o.org_id, gone.last]);
        return gone.n;
      });
      total += n;
      if (n < batch) break;
    }
  }
  return total;
}
