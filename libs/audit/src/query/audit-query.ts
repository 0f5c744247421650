import type { AuditEventClass } from '../chain/audit-event.types';

/** The policy decisions of spec §4.4 (the values `decision` and `effective_decision` may take). */
export const AUDIT_DECISIONS = ['allow', 'redact', 'rewrite', 'summary', 'escalate', 'refuse'] as const;
export type AuditDecision = (typeof AUDIT_DECISIONS)[number];

/** Formats of `GET /api/audit/export`. */
export const AUDIT_EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** Which endpoint a query string belongs to: each accepts the filters plus its own parameters. */
export type AuditQueryEndpoint = 'events' | 'export' | 'stats';

/** An HTTP status filter: one code, or a class (`4xx` → 400..499). Bounds inclusive. */
export interface StatusRange {
  min: number;
  max: number;
}

/**
 * A validated query of the audit API. Every field is already safe to bind (plain text, no control
 * characters, bounded length); absent filters are `undefined`. Times are `[from, to)` on `created_at`.
 */
export interface AuditQuery {
  from?: Date;
  to?: Date;
  classes?: AuditEventClass[];
  decision?: AuditDecision;
  effectiveDecision?: AuditDecision;
  reasonCode?: string;
  policyId?: string;
  projectId?: string;
  userId?: string;
  policyUser?: string;
  keyId?: string;
  model?: string;
  surface?: string;
  category?: string;
  status?: StatusRange;
  requestId?: string;
  /** Page size (events endpoint; the default elsewhere, for callers that page internally). */
  limit: number;
  /** Only events with a lower seq (the last seq of the previous page), from the opaque cursor. */
  beforeSeq?: number;
  /** Export only; `jsonl` when not given. */
  format?: AuditExportFormat;
}

/**
 * A bad query parameter: the controller answers 400 with `param` and `message`. The message names the
 * parameter and what it accepts, and quotes at most 64 characters of what was sent.
 */
export class AuditQueryError extends Error {
  readonly statusCode = 400;
  readonly code = 'invalid_value';

  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuditQueryError';
  }
}

/** At most 64 characters of a client value, JSON-quoted, for an error message. */
export function quote(value: string): string {
  const chars = Array.from(value);
  return JSON.stringify(chars.length > 64 ? `${chars.slice(0, 64).join('')}…` : value);
}
