/**
 * The audit event as an auditor sees it: one JSON object per event, the same in the API, in exports and in the
 * hashed form. `entry_hash` = SHA-256 over the RFC 8785 (JCS) serialisation of every other field (see
 * {@link entryHash}). Rows of `audit_event` map to this shape one to one (`eventFromRow`), so the database, the
 * API and an exported file hash identically.
 */
export const AUDIT_EVENT_CLASSES = ['enforcement', 'simulation', 'revision', 'admin', 'auth'] as const;
export type AuditEventClass = (typeof AUDIT_EVENT_CLASSES)[number];

/** Format version of {@link AuditEvent} (the hashed shape); bump on any change of the field set. */
export const AUDIT_EVENT_FORMAT = 2;

export interface AuditPrincipal {
  /** `api_key` | `user` | `free_tier` | `system` | `anonymous` (a refused credential). */
  kind: string;
  key_id: string | null;
  key_preview: string | null;
  user_id: string | null;
}

export interface AuditEvent {
  v: number;
  event_id: string;
  event_type: AuditEventClass;
  /** The nil UUID for events of no organisation (the anonymous free tier, failed logins): a chain no org reads. */
  org_id: string;
  seq: number;
  /** Hex SHA-256 of the previous event of the org's chain; 64 zeros for seq 1. */
  prev_hash: string;
  /** When the writer chained it (ISO-8601, ms). Partition key; monotonic per org up to clock skew. */
  created_at: string;
  /** When it happened (request end, or the change's commit). */
  occurred_at: string;
  project_id: string | null;
  principal: AuditPrincipal;
  request_id: string | null;
  surface: string | null;
  model: string | null;
  provider: string | null;
  upstream_model: string | null;
  stream: boolean | null;
  status: string | null;
  http_status: number | null;
  error_code: string | null;
  finish_reason: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  started_at: string | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  /** Class-specific fields (policy decision, revision before/after, admin action, credits…); never prompt text. */
  attributes: Record<string, unknown>;
}

/** An event with its own hash, as stored and exported. */
export interface ChainedAuditEvent extends AuditEvent {
  entry_hash: string;
}

/** A signed statement that the org's chain had `entry_hash` at `seq`. */
export interface AuditCheckpoint {
  org_id: string;
  seq: number;
  entry_hash: string;
  created_at: string;
  /** First 16 hex chars of SHA-256 over the public key's DER (SPKI). */
  key_id: string;
  /** Base64 Ed25519 signature over {@link checkpointMessage}. */
  signature: string;
}
