import { clampInt, INT2_MAX, INT4_MAX, safeIsoTime, safeText, safeTextOrNull, sanitizeJson } from '@gw/queue';
import { isRequestRecord, type AuditRecord, type AuditRecordPrincipal, type AuditRequestFields } from './audit-record';

/** Longest text kept per column: generous for real values, small enough that no row gets huge. */
const MAX = { id: 256, name: 256, code: 128 } as const;

/** The request fields of `r`, made storable, over `base` (the whole record, JSON-sanitised). */
function sanitizeRequest<T extends AuditRequestFields>(r: T, base: T): T {
  const finishedAt = safeIsoTime(r.finishedAt);
  return {
    ...base,
    requestId: safeText(String(r.requestId), MAX.id),
    surface: safeText(String(r.surface), MAX.name),
    model: safeText(String(r.model), MAX.name),
    provider: safeText(String(r.provider), MAX.name),
    upstreamModel: safeText(String(r.upstreamModel), MAX.name),
    stream: r.stream === true,
    status: safeText(String(r.status), MAX.code) as T['status'],
    httpStatus: clampInt(r.httpStatus, 0, INT2_MAX, 0),
    errorCode: safeTextOrNull(r.errorCode, MAX.code),
    finishReason: safeTextOrNull(r.finishReason, MAX.code),
    inputTokens: clampInt(r.inputTokens, 0, INT4_MAX),
    outputTokens: clampInt(r.outputTokens, 0, INT4_MAX),
    startedAt: safeIsoTime(r.startedAt, () => finishedAt),
    finishedAt,
    latencyMs: clampInt(r.latencyMs, 0, INT4_MAX),
    ttftMs: r.ttftMs == null ? null : clampInt(r.ttftMs, 0, INT4_MAX),
  };
}

const principal = (p: AuditRecordPrincipal | undefined): AuditRecordPrincipal => ({
  kind: safeText(String(p?.kind ?? 'unknown'), MAX.code),
  keyId: safeTextOrNull(p?.keyId, MAX.id),
  userId: safeTextOrNull(p?.userId, MAX.id),
});

/**
 * An audit record that cannot poison its batch: text without NUL or lone surrogates (U+FFFD instead),
 * lengths capped, integers within their columns (smallint / integer), valid timestamps, sanitised
 * attributes. Applied by the producer before enqueueing; the writer dead-letters whatever still fails.
 * Unknown fields (newer record versions) are kept, sanitised.
 */
export function sanitizeAuditRecord<R extends AuditRecord>(r: R): R {
  const base = sanitizeJson(r) as R;
  // `base` already holds the attributes sanitised (the largest part of a record: the policy block); not walked twice.
  const attributes = r.attributes === undefined ? {} : { attributes: ((base as { attributes?: Record<string, unknown> | null }).attributes ?? {}) };
  if (r.v === 1) return { ...sanitizeRequest(r as AuditRequestFields & R, base as AuditRequestFields & R), ...attributes };
  const common = { orgId: safeTextOrNull(r.orgId, MAX.id), projectId: safeTextOrNull(r.projectId, MAX.id), principal: principal(r.principal) };
  if (isRequestRecord(r)) return { ...sanitizeRequest(r as AuditRequestFields & R, base as AuditRequestFields & R), ...common, ...attributes };
  return { ...base, ...common, eventId: safeText(String(r.eventId), MAX.id), occurredAt: safeIsoTime(r.occurredAt), ...attributes };
}
