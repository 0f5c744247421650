import type { TxClient } from './chain-writer';
import { GENESIS_HASH } from './entry-hash';

/** An organisation's own retention: days of events and of retained content (null: the global setting). */
export interface OrgRetention {
  events_days: number | null;
  content_days: number | null;
}

/** Longest per-org retention accepted (100 years): longer would only ever be cut by the global one. */
export const MAX_RETENTION_DAYS = 36_500;

/**
 * Reads and writes `audit_chain.retention_days` / `content_retention_days` (what {@link applyOrgRetention} and the
 * content deletion read). An org that has no event yet has no head row: writing creates it at seq 0 with the
 * genesis hash, exactly as the chain writer would, so the writer simply finds it.
 */
export const RetentionSettings = {
  async read(db: TxClient, orgId: string): Promise<OrgRetention & { retained_from: number }> {
    const [row] = (await db.query(
      `SELECT retention_days AS events_days, content_retention_days AS content_days, retained_from::text AS retained_from FROM audit_chain WHERE org_id = $1`,
      [orgId],
    )) as Array<OrgRetention & { retained_from: string }>;
    return row ? { events_days: row.events_days, content_days: row.content_days, retained_from: Number(row.retained_from) } : { events_days: null, content_days: null, retained_from: 1 };
  },

  /**
   * Applies `change` (a field absent: unchanged) inside the caller's transaction, the head row locked for it.
   * @returns the settings before and after.
   */
  async update(tx: TxClient, orgId: string, change: Partial<OrgRetention>): Promise<{ before: OrgRetention; after: OrgRetention }> {
    await tx.query(`INSERT INTO audit_chain (org_id, seq, entry_hash) VALUES ($1, 0, $2) ON CONFLICT (org_id) DO NOTHING`, [orgId, Buffer.from(GENESIS_HASH, 'hex')]);
    const [row] = (await tx.query(
      `SELECT retention_days AS events_days, content_retention_days AS content_days FROM audit_chain WHERE org_id = $1 FOR UPDATE`,
      [orgId],
    )) as OrgRetention[];
    const before = { events_days: row.events_days, content_days: row.content_days };
    const after = {
      events_days: change.events_days === undefined ? before.events_days : change.events_days,
      content_days: change.content_days === undefined ? before.content_days : change.content_days,
    };
    await tx.query(`UPDATE audit_chain SET retention_days = $2, content_retention_days = $3 WHERE org_id = $1`, [orgId, after.events_days, after.content_days]);
    return { before, after };
  },
};
