import type { AuditRecordContent } from '../audit-record';
import type { ChainedAuditEvent } from '../chain/audit-event.types';
import type { TxClient } from '../chain/chain-writer';

/**
 * `audit_content` (migration AuditContent): the sealed prompt/output of events whose policy retains content, one
 * row per event, outside the chain. Written by the chain writer in the batch's transaction; deleted when it
 * expires, when the org's shorter content retention passes, and with its event.
 */

/** One statement per batch; a redelivered event's row is kept as first written. */
export const INSERT_CONTENT_SQL = `
INSERT INTO audit_content (org_id, event_id, created_at, expires_at, prompt, output, key_id)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
ON CONFLICT (org_id, event_id) DO NOTHING`;

/** Inserts the content of the chained events that brought some (`contents` by event id). */
export async function insertContent(tx: TxClient, chained: readonly ChainedAuditEvent[], contents: ReadonlyMap<string, AuditRecordContent>): Promise<void> {
  const rows = chained.flatMap((e) => {
    const c = contents.get(e.event_id);
    return c ? [[e.org_id, e.event_id, e.created_at, c.expires_at, c.prompt ?? null, c.output ?? null, c.key_id]] : [];
  });
  if (!rows.length) return;
  await tx.query(INSERT_CONTENT_SQL, [0, 1, 2, 3, 4, 5, 6].map((i) => rows.map((r) => r[i])));
}

/** A stored row, with the org's own content retention (null: none shorter than the row's expiry). */
export interface StoredContent {
  created_at: Date;
  expires_at: Date;
  prompt: string | null;
  output: string | null;
  key_id: string;
  org_days: number | null;
}

export async function readContent(db: TxClient, orgId: string, eventId: string): Promise<StoredContent | null> {
  const rows = (await db.query(
    `SELECT c.created_at, c.expires_at, c.prompt, c.output, c.key_id, h.content_retention_days AS org_days
       FROM audit_content c LEFT JOIN audit_chain h ON h.org_id = c.org_id
      WHERE c.org_id = $1::uuid AND c.event_id = $2::uuid`,
    [orgId, eventId],
  )) as StoredContent[];
  return rows[0] ?? null;
}

/** When a row stops being readable: its own expiry, or earlier under the org's content retention. */
export function contentExpiry(c: Pick<StoredContent, 'created_at' | 'expires_at' | 'org_days'>): Date {
  const own = c.expires_at.getTime();
  return new Date(c.org_days == null ? own : Math.min(own, c.created_at.getTime() + c.org_days * 86_400_000));
}

type Run = <T>(work: (tx: TxClient) => Promise<T>) => Promise<T>;

/** Repeats one batched DELETE (a CTE, so the driver answers rows) until it deletes fewer than `batch`. */
async function deleteInBatches(run: Run, sql: string, params: unknown[], batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ n }] = (await run((tx) => tx.query(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, [...params, batch]))) as Array<{ n: number }>;
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Content past its expiry, then content of orgs with a shorter content retention (`audit_chain.content_retention_days`)
 * past it; each in batches of `batch` rows (short transactions; `expires_at` and the primary key serve them).
 * @returns rows deleted.
 */
export async function deleteExpiredContent(run: Run, db: TxClient, now: Date, batch = 5_000): Promise<number> {
  let total = await deleteInBatches(
    run,
    `DELETE FROM audit_content WHERE (org_id, event_id) IN (SELECT org_id, event_id FROM audit_content WHERE expires_at <= $1 LIMIT $2)`,
    [now],
    batch,
  );
  const orgs = (await db.query(`SELECT org_id::text AS org_id, content_retention_days AS days FROM audit_chain WHERE content_retention_days IS NOT NULL ORDER BY org_id`)) as Array<{ org_id: string; days: number }>;
  for (const o of orgs) {
    const cutoff = new Date(now.getTime() - o.days * 86_400_000);
    total += await deleteInBatches(
      run,
      `DELETE FROM audit_content WHERE org_id = $1 AND event_id IN (SELECT event_id FROM audit_content WHERE org_id = $1 AND created_at < $2 LIMIT $3)`,
      [o.org_id, cutoff],
      batch,
    );
  }
  return total;
}
