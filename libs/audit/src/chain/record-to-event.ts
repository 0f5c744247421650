import { createHash } from 'node:crypto';
import { isRequestRecord, type AuditRecord } from '../audit-record';
import { AUDIT_EVENT_FORMAT, type AuditEvent } from './audit-event.types';

/** An event before the writer chains it: everything but its place in the chain. */
export type UnchainedEvent = Omit<AuditEvent, 'seq' | 'prev_hash' | 'created_at'>;

/**
 * The event id of a request's event: a UUID (version 8, RFC 9562 §5.8) from SHA-256 of the request id, so that
 * every path that records one request (the queue, a redelivery, the orphan sweeper) names the same event, and the
 * writer can drop the second one.
 */
export function requestEventId(requestId: string): string {
  const b = createHash('sha256').update(`audit-event:${requestId}`, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const iso = (v: string): string => new Date(v).toISOString();
const int = (v: number | null | undefined): number | null => (v == null ? null : Math.round(v));

/** Version 1 records kept their organisation and project in attributes. */
function v1Scope(attrs: Record<string, unknown>): { orgId: string | null; projectId: string | null } {
  const policy = attrs.policy as Record<string, unknown> | undefined;
  return { orgId: str(attrs.org_id), projectId: str(policy?.project_id) };
}

/**
 * The event a record describes, in the hashed shape (times normalised to ISO with ms, integers rounded, attributes
 * as they will read back from jsonb). `keyPreviews` fills the principal's key preview (looked up by the writer).
 */
export function recordToEvent(r: AuditRecord, keyPreviews: ReadonlyMap<string, string> = new Map()): UnchainedEvent {
  const attributes = JSON.parse(JSON.stringify(r.attributes ?? {})) as Record<string, unknown>;
  const scope = r.v === 1 ? v1Scope(attributes) : { orgId: r.orgId, projectId: r.projectId };
  const p = r.v === 1 ? { kind: 'unknown', keyId: null, userId: null } : r.principal;
  const base = {
    v: AUDIT_EVENT_FORMAT,
    org_id: scope.orgId ?? '',
    project_id: scope.projectId ?? null,
    principal: { kind: p.kind, key_id: p.keyId ?? null, key_preview: p.keyId ? (keyPreviews.get(p.keyId) ?? null) : null, user_id: p.userId ?? null },
    attributes,
  };
  if (!isRequestRecord(r)) {
    const none = { request_id: null, surface: null, model: null, provider: null, upstream_model: null, stream: null, status: null, http_status: null };
    const counts = { error_code: null, finish_reason: null, input_tokens: null, output_tokens: null, started_at: null, latency_ms: null, ttft_ms: null };
    return { ...base, event_id: r.eventId, event_type: r.eventType, occurred_at: iso(r.occurredAt), ...none, ...counts };
  }
  return {
    ...base,
    event_id: requestEventId(r.requestId),
    event_type: 'enforcement',
    occurred_at: iso(r.finishedAt),
    request_id: r.requestId,
    surface: r.surface,
    model: r.model,
    provider: r.provider,
    upstream_model: r.upstreamModel,
    stream: r.stream,
    status: r.status,
    http_status: int(r.httpStatus),
    error_code: r.errorCode ?? null,
    finish_reason: r.finishReason ?? null,
    input_tokens: int(r.inputTokens),
    output_tokens: int(r.outputTokens),
    started_at: iso(r.startedAt),
    latency_ms: int(r.latencyMs),
    ttft_ms: int(r.ttftMs),
  };
}
