import type { AuditEvent, AuditEventClass, ChainedAuditEvent } from './audit-event.types';

/** The columns of `audit_event`, in insert order, with their Postgres array types (UNNEST). */
export const EVENT_COLUMNS = [
  ['org_id', 'uuid'],
  ['seq', 'bigint'],
  ['created_at', 'timestamptz'],
  ['event_id', 'uuid'],
  ['event_type', 'text'],
  ['v', 'smallint'],
  ['occurred_at', 'timestamptz'],
  ['project_id', 'text'],
  ['principal_kind', 'text'],
  ['api_key_id', 'text'],
  ['key_preview', 'text'],
  ['user_id', 'text'],
  ['request_id', 'text'],
  ['surface', 'text'],
  ['model', 'text'],
  ['provider', 'text'],
  ['upstream_model', 'text'],
  ['stream', 'boolean'],
  ['status', 'text'],
  ['http_status', 'smallint'],
  ['error_code', 'text'],
  ['finish_reason', 'text'],
  ['input_tokens', 'integer'],
  ['output_tokens', 'integer'],
  ['started_at', 'timestamptz'],
  ['latency_ms', 'integer'],
  ['ttft_ms', 'integer'],
  ['attributes', 'jsonb'],
  ['prev_hash', 'bytea'],
  ['entry_hash', 'bytea'],
  ['prompt_hmac', 'bytea'],
  ['output_hmac', 'bytea'],
] as const;

/** `SELECT` list that reads a row in the shape {@link eventFromRow} takes. */
export const EVENT_SELECT = EVENT_COLUMNS.map(([c]) => `"${c}"`).join(', ');

/** A row as `pg` returns it (bigint as string, timestamptz as Date, bytea as Buffer). */
export interface AuditEventRow {
  org_id: string;
  seq: string | number;
  created_at: Date | string;
  event_id: string;
  event_type: string;
  v: number;
  occurred_at: Date | string;
  project_id: string | null;
  principal_kind: string;
  api_key_id: string | null;
  key_preview: string | null;
  user_id: string | null;
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
  started_at: Date | string | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  attributes: Record<string, unknown>;
  prev_hash: Buffer | string;
  entry_hash: Buffer | string;
  prompt_hmac?: Buffer | string | null;
  output_hmac?: Buffer | string | null;
}

/**
 * Attributes stored in their own bytea columns rather than in `attributes` (storage only: the event, its hash and
 * every API see them in `attributes` as 64 hex characters). As jsonb text they cost ~80 bytes each; as bytea 33.
 * Only a value of exactly 64 lower-case hex characters moves, so the round trip is exact for anything else.
 */
const HMAC_ATTRIBUTES = ['prompt_hmac', 'output_hmac'] as const;
const HEX64 = /^[0-9a-f]{64}$/;

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const hex = (v: Buffer | string): string => (typeof v === 'string' ? v.replace(/^\\x/, '') : v.toString('hex'));

/** The event a row holds, in the exported/hashed shape (one function for the writer, the API and verify). */
export function eventFromRow(r: AuditEventRow): ChainedAuditEvent {
  return {
    v: r.v,
    event_id: r.event_id,
    event_type: r.event_type as AuditEventClass,
    org_id: r.org_id,
    seq: Number(r.seq),
    prev_hash: hex(r.prev_hash),
    created_at: iso(r.created_at),
    occurred_at: iso(r.occurred_at),
    project_id: r.project_id,
    principal: { kind: r.principal_kind, key_id: r.api_key_id, key_preview: r.key_preview, user_id: r.user_id },
    request_id: r.request_id,
    surface: r.surface,
    model: r.model,
    provider: r.provider,
    upstream_model: r.upstream_model,
    stream: r.stream,
    status: r.status,
    http_status: r.http_status,
    error_code: r.error_code,
    finish_reason: r.finish_reason,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    started_at: r.started_at === null ? null : iso(r.started_at),
    latency_ms: r.latency_ms,
    ttft_ms: r.ttft_ms,
    attributes: withHmacs(r),
    entry_hash: hex(r.entry_hash),
  };
}

function withHmacs(r: AuditEventRow): Record<string, unknown> {
  const attributes = r.attributes ?? {};
  if (r.prompt_hmac == null && r.output_hmac == null) return attributes;
  const out = { ...attributes };
  if (r.prompt_hmac != null) out.prompt_hmac = hex(r.prompt_hmac);
  if (r.output_hmac != null) out.output_hmac = hex(r.output_hmac);
  return out;
}

/** `attributes` without the HMACs that go to their columns, and those columns' values. */
function splitHmacs(attributes: Record<string, unknown>): [Record<string, unknown>, Buffer | null, Buffer | null] {
  const [p, o] = HMAC_ATTRIBUTES.map((k) => attributes[k]).map((v) => (typeof v === 'string' && HEX64.test(v) ? v : null));
  if (p === null && o === null) return [attributes, null, null];
  const rest = { ...attributes };
  if (p !== null) delete rest.prompt_hmac;
  if (o !== null) delete rest.output_hmac;
  return [rest, p === null ? null : Buffer.from(p, 'hex'), o === null ? null : Buffer.from(o, 'hex')];
}

/** Column values of an event, in {@link EVENT_COLUMNS} order (hashes as Buffers, times as ISO text). */
export function rowValues(e: ChainedAuditEvent): unknown[] {
  const [attributes, promptHmac, outputHmac] = splitHmacs(e.attributes);
  return [
    e.org_id, String(e.seq), e.created_at, e.event_id, e.event_type, e.v, e.occurred_at, e.project_id,
    e.principal.kind, e.principal.key_id, e.principal.key_preview, e.principal.user_id, e.request_id,
    e.surface, e.model, e.provider, e.upstream_model, e.stream, e.status, e.http_status, e.error_code, e.finish_reason,
    e.input_tokens, e.output_tokens, e.started_at, e.latency_ms, e.ttft_ms, JSON.stringify(attributes),
    Buffer.from(e.prev_hash, 'hex'), Buffer.from(e.entry_hash, 'hex'), promptHmac, outputHmac,
  ];
}

/** Drops what would not survive a round trip through the row (undefined fields of attributes) before hashing. */
export function storable(e: AuditEvent): AuditEvent {
  return { ...e, attributes: JSON.parse(JSON.stringify(e.attributes ?? {})) as Record<string, unknown> };
}
