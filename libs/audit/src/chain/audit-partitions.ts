import type { TxClient } from './chain-writer';

/** `audit_event_YYYY_MM` and the bounds of the month holding `at` (UTC), `ahead` months on. */
export function monthPartition(at: Date, ahead = 0): { name: string; from: string; to: string } {
  const from = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + ahead, 1));
  const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  const name = `audit_event_${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
  return { name, from: from.toISOString(), to: to.toISOString() };
}

/** Whether a write failed because no partition holds its `created_at` (SQLSTATE 23514 from the router). */
export const isMissingPartition = (err: unknown): boolean =>
  (err as { code?: string }).code === '23514' && /no partition of relation/i.test(String((err as Error).message));

/**
 * Creates the monthly partitions of `audit_event` from the month of `at` to `ahead` months after it (idempotent:
 * `IF NOT EXISTS`; names and bounds are computed, never taken from input). Two replicas racing both succeed.
 * @returns the partitions that did not exist before.
 */
export async function ensurePartitions(db: TxClient, at: Date, ahead: number): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i <= ahead; i++) {
    const p = monthPartition(at, i);
    const [exists] = (await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [p.name])) as Array<{ ok: boolean }>;
    if (exists?.ok) continue;
    try {
      await db.query(`CREATE TABLE IF NOT EXISTS "${p.name}" PARTITION OF audit_event FOR VALUES FROM ('${p.from}') TO ('${p.to}')`);
      created.push(p.name);
    } catch (err) {
      // A concurrent creator won between the check and the CREATE (catalog unique violation): the partition exists.
      if ((err as { code?: string }).code !== '23505' && (err as { code?: string }).code !== '42P07') throw err;
    }
  }
  return created;
}
