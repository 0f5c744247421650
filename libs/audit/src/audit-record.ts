/**
 * One record per inference request, enqueued by the inference plane and written by the control plane.
 * Versioned: later issues add identity, billing and policy fields; the processor must accept older versions.
 * Never carries prompt or completion text.
 */
export interface AuditRecordV1 {
  v: 1;
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
   * by the orphan sweeper in the control plane, never enqueued; `http_status` 0, tokens = last checkpoint).
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

export type AuditRecord = AuditRecordV1;
