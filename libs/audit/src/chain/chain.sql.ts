import { EVENT_COLUMNS } from './event-row';

/**
 * Creates the heads of organisations seen for the first time (seq 0, genesis hash) and locks every head of the batch,
 * in one round trip: `ON CONFLICT DO UPDATE` locks an existing row and returns it. Rows are taken in sorted org
 * order (the caller sorts), so concurrent writers cannot deadlock; the writer holding an org's head row is the only
 * one extending its chain until it commits.
 */
export const LOCK_HEADS_SQL = `
INSERT INTO audit_chain AS c (org_id, seq, entry_hash) SELECT o, 0, '\\x${'00'.repeat(32)}'::bytea FROM unnest($1::uuid[]) WITH ORDINALITY AS u(o, n) ORDER BY n
ON CONFLICT (org_id) DO UPDATE SET org_id = c.org_id
RETURNING c.org_id::text AS org_id, c.seq::text AS seq, c.entry_hash, c.checkpoint_seq::text AS checkpoint_seq, c.updated_at`;

/**
 * Event ids already chained (a redelivered job, or a request the orphan sweeper recorded first). Only partitions
 * from `$2` on are probed: redeliveries come within minutes, and the window is a config setting. The function
 * (migration KnownEventsIndexScan) looks each id up in the `event_id` index whatever the partitions' statistics.
 */
export const KNOWN_EVENTS_SQL = `SELECT k::text AS event_id FROM gw_known_events($1::uuid[], $2::timestamptz) AS k`;

export const KEY_PREVIEWS_SQL = `SELECT id::text AS id, key_preview FROM api_key WHERE id = ANY($1::uuid[])`;

/** One statement for the whole batch: one array parameter per column, whatever the batch size. */
export const INSERT_EVENTS_SQL =
  `INSERT INTO audit_event (${EVENT_COLUMNS.map(([c]) => `"${c}"`).join(', ')}) ` +
  `SELECT * FROM unnest(${EVENT_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})`;

export const ADVANCE_HEADS_SQL = `
UPDATE audit_chain c SET seq = u.seq, entry_hash = u.entry_hash, updated_at = $4::timestamptz
  FROM unnest($1::uuid[], $2::bigint[], $3::bytea[]) AS u(org_id, seq, entry_hash) WHERE c.org_id = u.org_id`;

export const INSERT_CHECKPOINTS_SQL = `
INSERT INTO audit_checkpoint (org_id, seq, entry_hash, created_at, key_id, signature)
SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bytea[], $4::timestamptz[], $5::text[], $6::bytea[])
ON CONFLICT (org_id, seq) DO NOTHING`;

export const MARK_CHECKPOINTS_SQL = `
UPDATE audit_chain c SET checkpoint_seq = u.seq, checkpoint_at = u.at
  FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(org_id, seq, at) WHERE c.org_id = u.org_id AND c.checkpoint_seq < u.seq`;

export const REGISTER_KEY_SQL = `INSERT INTO audit_signing_key (key_id, public_key) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`;
