/** SQL of `policy_rollout` (see {@link RolloutStateRepository}); every time is a parameter, never `now()`. */

export const COLUMNS = `org_id, policy_id, override, epoch, reason, since, until, triggered_by`;

export const FIND = `SELECT ${COLUMNS} FROM policy_rollout WHERE org_id = $1 AND policy_id = $2`;

/**
 * Auto-rollback: only from "not rolled back" at the epoch the counters counted, so of all replicas that see the
 * same spike exactly one wins (the others update no row), and counts of an older epoch never trip a newer one.
 * $3 is that epoch (0 when the policy has no row yet), $4 now, $5 the cooldown's end.
 */
export const TRIP = `INSERT INTO policy_rollout (org_id, policy_id, override, epoch, reason, since, until, triggered_by, updated_at)
  VALUES ($1, $2, 'rollback', $3::int + 1, 'auto', $4, $5, 'auto-rollback', $4)
  ON CONFLICT (org_id, policy_id) DO UPDATE
    SET override = 'rollback', reason = 'auto', since = EXCLUDED.since, until = EXCLUDED.until,
        epoch = policy_rollout.epoch + 1, triggered_by = 'auto-rollback', updated_at = EXCLUDED.updated_at
    WHERE policy_rollout.override IS NULL AND policy_rollout.epoch = $3::int
  RETURNING ${COLUMNS}`;

/** A row to lock for a manual transition (a row with no override is the same as none). */
export const ENSURE = `INSERT INTO policy_rollout (org_id, policy_id) VALUES ($1, $2) ON CONFLICT (org_id, policy_id) DO NOTHING`;
export const LOCK = `${FIND} FOR UPDATE`;

export const SET = `UPDATE policy_rollout SET override = $3, epoch = $4, reason = $5, since = $6, until = $7, triggered_by = $8, updated_at = $9
  WHERE org_id = $1 AND policy_id = $2 RETURNING ${COLUMNS}`;

/**
 * Ends the rollbacks whose cooldown is over. Rows a concurrent pass or manual change holds are skipped (and
 * re-checked under the lock), so each rollback ends exactly once; `since` is when it really ended.
 */
export const EXPIRE = `WITH due AS (
    SELECT ${COLUMNS} FROM policy_rollout WHERE override IS NOT NULL AND until <= $1 ORDER BY until LIMIT $2 FOR UPDATE SKIP LOCKED
  )
  UPDATE policy_rollout r
     SET override = NULL, epoch = r.epoch + 1, reason = 'cooldown_elapsed', since = r.until, until = NULL, triggered_by = 'rollback-cooldown', updated_at = $1
    FROM due
   WHERE r.org_id = due.org_id AND r.policy_id = due.policy_id
  RETURNING r.org_id, r.policy_id, r.override, r.epoch, r.reason, r.since, r.until, r.triggered_by,
    due.epoch AS old_epoch, due.reason AS old_reason, due.since AS old_since, due.until AS old_until, due.triggered_by AS old_triggered_by,
    (SELECT p.latest_version FROM policy p WHERE p.org_id = r.org_id AND p.policy_id = r.policy_id) AS version`;

export const LATEST_VERSION = `SELECT latest_version FROM policy WHERE org_id = $1 AND policy_id = $2`;
