/** SQL of the connector store and scheduler (tables from migration 1795400000000-AuditConnectors). */

export const CONNECTOR_COLUMNS = `id, org_id, name, kind, project_id, event_types, config, enabled, cursor_seq::text AS cursor_seq, revision,
  created_by, created_at, updated_at, delivered::text AS delivered, dead_lettered::text AS dead_lettered, last_success_at, last_error, last_error_at`;

export const LIST_SQL = `SELECT ${CONNECTOR_COLUMNS} FROM audit_connector WHERE org_id = $1 ORDER BY created_at, id`;
export const GET_SQL = `SELECT ${CONNECTOR_COLUMNS} FROM audit_connector WHERE org_id = $1 AND id = $2`;
export const LOCK_SQL = `${GET_SQL} FOR UPDATE`;
export const BY_ID_SQL = `SELECT ${CONNECTOR_COLUMNS} FROM audit_connector WHERE id = $1`;
export const COUNT_SQL = `SELECT count(*)::int AS n FROM audit_connector WHERE org_id = $1`;

/** A new connector starts after the org's current head ("from now on") or at its first retained event. */
export const INSERT_SQL = `
  INSERT INTO audit_connector (id, org_id, name, kind, project_id, event_types, config, enabled, created_by, cursor_seq)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
    CASE WHEN $10 THEN COALESCE((SELECT retained_from - 1 FROM audit_chain WHERE org_id = $2), 0)
         ELSE COALESCE((SELECT seq FROM audit_chain WHERE org_id = $2), 0) END)
  RETURNING ${CONNECTOR_COLUMNS}`;

/** Disabling pauses delivery: enabling again resumes at the cursor, so the SIEM gets the events of the pause too. */
export const UPDATE_SQL = `
  UPDATE audit_connector SET name = $3, project_id = $4, event_types = $5, config = $6, enabled = $7,
    revision = revision + 1, updated_at = now()
  WHERE org_id = $1 AND id = $2
  RETURNING ${CONNECTOR_COLUMNS}`;

export const DELETE_SQL = `DELETE FROM audit_connector WHERE org_id = $1 AND id = $2 RETURNING id`;

/**
 * Connectors behind their org's chain head, locked so that one replica schedules each (the others skip it). The
 * cursor never points before the first retained event.
 */
export const DUE_SQL = `
  SELECT c.id, c.org_id, GREATEST(c.cursor_seq, h.retained_from - 1)::text AS cursor_seq, h.seq::text AS head
  FROM audit_connector c JOIN audit_chain h ON h.org_id = c.org_id
  WHERE c.enabled AND h.seq > c.cursor_seq
  ORDER BY c.updated_at
  LIMIT $1
  FOR UPDATE OF c SKIP LOCKED`;

export const ADVANCE_SQL = `
  UPDATE audit_connector c SET cursor_seq = u.seq
  FROM unnest($1::uuid[], $2::bigint[]) AS u(id, seq) WHERE c.id = u.id`;

export const DELIVERED_SQL = `UPDATE audit_connector SET delivered = delivered + $2, last_success_at = now() WHERE id = $1`;
export const FAILED_SQL = `UPDATE audit_connector SET last_error = $2, last_error_at = now() WHERE id = $1`;

/** A range that gave up; a replay of it that fails again updates the same row. */
export const DEAD_LETTER_SQL = `
  WITH dl AS (
    INSERT INTO audit_connector_dead_letter (id, org_id, connector_id, from_seq, to_seq, events, attempts, error, status)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (connector_id, from_seq, to_seq) DO UPDATE SET events = EXCLUDED.events,
      attempts = audit_connector_dead_letter.attempts + EXCLUDED.attempts, error = EXCLUDED.error,
      status = EXCLUDED.status, failed_at = now(), replayed_at = NULL
    RETURNING id)
  UPDATE audit_connector SET dead_lettered = dead_lettered + $6, last_error = $8, last_error_at = now() WHERE id = $3`;

const DL_COLUMNS = `id, connector_id, from_seq::text AS from_seq, to_seq::text AS to_seq, events, attempts, error, status, failed_at, replayed_at`;
export const DEAD_LETTERS_SQL = `
  SELECT ${DL_COLUMNS} FROM audit_connector_dead_letter
  WHERE org_id = $1 AND connector_id = $2 AND ($3::boolean OR replayed_at IS NULL)
  ORDER BY failed_at DESC, id LIMIT $4`;
/** Marks dead letters replayed (all pending ones of the connector when `$3` is null) and returns them. */
export const TAKE_FOR_REPLAY_SQL = `
  UPDATE audit_connector_dead_letter SET replayed_at = now()
  WHERE org_id = $1 AND connector_id = $2 AND replayed_at IS NULL AND ($3::uuid IS NULL OR id = $3)
  RETURNING ${DL_COLUMNS}`;

/** The events of one delivery range, in chain order, narrowed by the connector's filters. */
export const RANGE_FILTER = `org_id = $1 AND seq BETWEEN $2 AND $3 AND ($4::text IS NULL OR project_id = $4) AND ($5::text[] IS NULL OR event_type = ANY($5))`;
