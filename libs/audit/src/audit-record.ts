import type { AuditEventClass } from './chain/audit-event.types';

/**
 * What producers enqueue (or put in `audit_inbox`): one record per event. The writer turns it into a chained
 * {@link AuditEvent}. Versioned; the writer accepts every version ever produced (jobs and inbox rows outlive
 * releases). Never carries prompt or completion text in clear: retained content travels sealed (`content`).
 */

/** The request facts of an enforcement record (every field of version 1). */
export interface AuditRequestFields {
  requestId: string;
  /** `chat.completions` | `responses` | `messages` | `messages.count_tokens` */
  surface: string;
  /** Model name the caller asked for. */
  model: string;
  /** Catalogue provider id and the upstream model that served it ('' when resolution failed). */
  provider: string;
  upstreamModel: string;
  stream: boolean;
  /**
   * `ok` | `error` | `client_aborted`, or `gateway_lost`: the process serving the call died mid-call (written
   * by the orphan sweeper in the control plane through `audit_inbox`; `http_status` 0, tokens = last checkpoint).
   */
  status: 'ok' | 'error' | 'client_aborted' | 'gateway_lost';
  httpStatus: number;
  errorCode: string | null;
  finishReason: string | null;
  inputTokens: number;
  outputTokens: number;
  /** ISO-8601 timestamps. */
  startedAt: string;
  finishedAt: string;
  latencyMs: number;
  /** Time to first content event for streams. */
  ttftMs: number | null;
  /** Optional extra fields (stored in the `attributes` jsonb column); never prompt or completion text. */
  attributes?: Record<string, unknown>;
}

/** Version 1 (issues 1–10): a request record; its organisation, if any, is `attributes.org_id`. */
export interface AuditRecordV1 extends AuditRequestFields {
  v: 1;
}

/** Who caused an event. */
export interface AuditRecordPrincipal {
  /** `api_key` | `user` | `free_tier` | `system` | `anonymous`. */
  kind: string;
  keyId: string | null;
  userId: string | null;
}

/**
 * Version 2, a request: version 1 plus organisation, project and principal. `enforcement`, or `auth` for a request
 * refused for its credentials (401).
 */
export interface AuditRequestRecordV2 extends AuditRequestFields {
  v: 2;
  eventType: 'enforcement' | 'auth';
  orgId: string | null;
  projectId: string | null;
  principal: AuditRecordPrincipal;
  /**
   * Added within version 2 (optional, so every earlier v2 record stays valid): the request's prompt and output
   * text, sealed by the inference plane before enqueueing (AES-256-GCM, bound to org, event and field), when its
   * policy retains content. Stored in `audit_content`, outside the chained event; the event only says
   * `content_retained: true`.
   */
  content?: AuditRecordContent;
}

/** Sealed content of one request (see {@link AuditRequestRecordV2.content}). */
export interface AuditRecordContent {
  /** `v1.<iv>.<ciphertext>.<tag>` (SecretBox); absent when there was no such text (a refusal has no output). */
  prompt?: string;
  output?: string;
  /** ISO-8601: when the content is deleted (the request's end plus the content retention). */
  expires_at: string;
  /** Which key sealed it (first 8 hex of SHA-256 of the key). */
  key_id: string;
  /** Fields cut to the retained length. */
  truncated?: Array<'prompt' | 'output'>;
}

/** Version 2, any other class: a change, an admin action, a login, a simulation. */
export interface AuditActionRecordV2 {
  v: 2;
  eventType: Exclude<AuditEventClass, 'enforcement'>;
  requestId?: undefined;
  /** Dedupe key (uuid), fixed by the producer so a retried enqueue is written once. */
  eventId: string;
  orgId: string | null;
  projectId: string | null;
  principal: AuditRecordPrincipal;
  /** ISO-8601. */
  occurredAt: string;
  /** `action` (e.g. `policy.update`, `key.revoke`, `login.failure`), target, before/after, outcome… */
  attributes: Record<string, unknown>;
}

export type AuditRecordV2 = AuditRequestRecordV2 | AuditActionRecordV2;
export type AuditRecord = AuditRecordV1 | AuditRecordV2;

/** True for records that describe one inference request. */
export const isRequestRecord = (r: AuditRecord): r is AuditRecordV1 | AuditRequestRecordV2 => r.v === 1 || typeof r.requestId === 'string';
