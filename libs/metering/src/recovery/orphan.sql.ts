/**
 * A reservation is an orphan when its boot is not this process and is dead: `$3` (the embedded mode,
 * where one process owns the database, so every other boot is a predecessor) or no fresh heartbeat.
 * Reservations of an older release (no boot id) are left to the TTL sweep.
 */
const DEAD = `r.boot_id IS NOT NULL AND r.boot_id <> $2::uuid AND ($3::boolean OR NOT EXISTS (
  SELECT 1 FROM gateway_replica g WHERE g.boot_id = r.boot_id AND g.heartbeat_at > now() - make_interval(secs => $4::double precision / 1000)))`;

/** Candidate orphans (read only; the caller leaves out those whose settlement is still queued). */
export const FIND_ORPHANS_SQL = `
SELECT r.request_id, r.boot_id::text AS boot_id FROM credit_reservation r WHERE NOT r.lease AND ${DEAD} ORDER BY r.request_id LIMIT $1::int`;

/**
 * Settles a batch of orphans in one statement (one transaction): locks them (`SKIP LOCKED`: a racing
 * sweeper takes other rows or none), deletes their holds, charges what was checkpointed
 * (`max(1, ceil(tokens / tokensPerCredit))`, capped at the hold, 0 when the upstream was never
 * reached), writes their ledger entries (UNIQUE(entry_id) with DO NOTHING: a normal settlement that landed first wins,
 * a late one is a no-op) and `gateway_lost` audit records into `audit_inbox` (the chain writer drops a request's
 * second event, whichever came first) and moves the
 * balances. The end of a call is estimated as the dead boot's last sign of life.
 * $1 ids, $2 this boot, $3 others dead, $4 stale ms, $5 tokens per credit, $6 USD per token.
 */
export const SETTLE_ORPHANS_SQL = `
WITH o AS (
  SELECT r.request_id, r.org_id, r.credits AS held, r.api_key_id, r.user_id, r.model, r.provider, r.upstream_model, r.surface,
         r.stream, r.started_at, r.reached_upstream_at IS NOT NULL AS reached, COALESCE(r.input_tokens, 0) AS input_tokens,
         CASE WHEN r.reached_upstream_at IS NULL THEN 0 ELSE r.output_tokens END AS output_tokens,
         COALESCE(GREATEST(r.progress_at, r.started_at, (SELECT g.heartbeat_at FROM gateway_replica g WHERE g.boot_id = r.boot_id)), now()) AS ended_at
    FROM credit_reservation r
   WHERE r.request_id = ANY($1::text[]) AND NOT r.lease AND ${DEAD}
     FOR UPDATE OF r SKIP LOCKED
), del AS (
  DELETE FROM credit_reservation r USING o WHERE r.request_id = o.request_id
), priced AS (
  SELECT o.*,
         CASE WHEN o.reached THEN LEAST(o.held, GREATEST(1, ceil((o.input_tokens + o.output_tokens)::numeric / $5::int)))::bigint ELSE 0 END AS due,
         CASE WHEN o.reached THEN round((o.input_tokens + o.output_tokens) * $6::numeric, 9) ELSE 0 END AS cost
    FROM o
), ins AS (
  INSERT INTO credit_ledger (entry_id, kind, org_id, api_key_id, user_id, model, input_tokens, output_tokens, credits, cost_usd, occurred_at)
  SELECT request_id, 'usage', org_id, api_key_id, user_id, model, input_tokens, output_tokens, -due, cost, ended_at FROM priced WHERE due > 0
  ON CONFLICT (entry_id) DO NOTHING
  RETURNING org_id, -credits AS used
), aud AS (
  -- Into the audit inbox (same transaction), chained by the control app: a version-2 request record.
  INSERT INTO audit_inbox (record)
  SELECT jsonb_build_object(
           'v', 2, 'eventType', 'enforcement', 'orgId', org_id, 'projectId', NULL,
           'principal', jsonb_build_object('kind', CASE WHEN api_key_id IS NOT NULL THEN 'api_key' WHEN user_id IS NOT NULL THEN 'user' ELSE 'free_tier' END,
                                           'keyId', api_key_id, 'userId', user_id),
           'requestId', request_id, 'surface', COALESCE(surface, ''), 'model', COALESCE(model, ''), 'provider', COALESCE(provider, ''),
           'upstreamModel', COALESCE(upstream_model, ''), 'stream', COALESCE(stream, false), 'status', 'gateway_lost', 'httpStatus', 0,
           'errorCode', 'gateway_lost', 'finishReason', NULL, 'inputTokens', input_tokens, 'outputTokens', output_tokens,
           'startedAt', to_char(COALESCE(started_at, ended_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'finishedAt', to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'latencyMs', GREATEST(0, round(extract(epoch FROM ended_at - COALESCE(started_at, ended_at)) * 1000))::int, 'ttftMs', NULL,
           'attributes', jsonb_build_object('recovered_by', $2::text, 'reached_upstream', reached, 'credits', due))
    FROM priced
  RETURNING 1
), delta AS (
  SELECT org_id, sum(used) AS used FROM ins GROUP BY org_id
), upd AS (
  UPDATE credit_account a SET balance = a.balance - d.used, updated_at = now() FROM delta d WHERE a.org_id = d.org_id RETURNING 1
)
SELECT (SELECT count(*) FROM o)::int AS settled, (SELECT count(*) FROM ins)::int AS charged, (SELECT count(*) FROM aud)::int AS audited,
       (SELECT COALESCE(sum(due), 0) FROM priced)::bigint AS credits, (SELECT count(*) FROM upd)::int AS accounts`;

/** Whether a dead boot outside $1 holds a credit lease (the sweeper asks with none left out before reading the queue). */
export const DEAD_LEASES_EXIST_SQL = `
SELECT EXISTS (SELECT 1 FROM credit_reservation r WHERE r.lease AND NOT (r.boot_id::text = ANY($1::text[])) AND ${DEAD}) AS found`;

/**
 * Releases the credit leases of dead boots (CreditLeases migration), except those of boots in `$1` (settlements still
 * queued: each lowers its lease as it lands). What a lease still holds then was granted to calls that died before
 * their first checkpoint carved them out of it; nothing records them, so nothing is charged.
 */
export const RELEASE_DEAD_LEASES_SQL = `
DELETE FROM credit_reservation r WHERE r.lease AND NOT (r.boot_id::text = ANY($1::text[])) AND ${DEAD} RETURNING r.credits`;

/** Rows of dead boots that hold nothing any more (a live replica cut off for a while simply registers again). */
export const FORGET_DEAD_REPLICAS_SQL = `
DELETE FROM gateway_replica g
 WHERE g.boot_id <> $1::uuid AND ($2::boolean OR g.heartbeat_at < now() - make_interval(secs => $3::double precision / 1000))
   AND NOT EXISTS (SELECT 1 FROM credit_reservation r WHERE r.boot_id = g.boot_id)`;
