/** Whether anything waits in the inbox: one cheap read before a drain opens a transaction (polled every 250 ms). */
export const INBOX_WAITING_SQL = `SELECT EXISTS (SELECT 1 FROM audit_inbox) AS waiting`;

/** The oldest inbox records no other drainer holds (`SKIP LOCKED`: replicas take disjoint sets). */
export const TAKE_INBOX_SQL = `SELECT id::text AS id, record FROM audit_inbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;
export const DELETE_INBOX_SQL = `DELETE FROM audit_inbox WHERE id = ANY($1::bigint[])`;

/** Organisations with events past their last checkpoint, and that checkpoint older than `$1` ms. */
export const DUE_CHECKPOINTS_SQL = `
SELECT org_id::text AS org_id FROM audit_chain
 WHERE seq > checkpoint_seq AND (checkpoint_at IS NULL OR checkpoint_at < now() - make_interval(secs => $1::double precision / 1000))
 ORDER BY org_id LIMIT 1000`;

/** The heads of `$1`, locked and re-checked (another replica may have signed them meanwhile). */
export const LOCK_DUE_HEADS_SQL = `
SELECT org_id::text AS org_id, seq::text AS seq, entry_hash FROM audit_chain WHERE org_id = ANY($1::uuid[]) AND seq > checkpoint_seq ORDER BY org_id FOR UPDATE`;

/** Puts a record in the inbox from SQL that cannot reach the queue (same transaction as the change it records). */
export const INSERT_INBOX_SQL = `INSERT INTO audit_inbox (record) VALUES ($1::jsonb)`;
