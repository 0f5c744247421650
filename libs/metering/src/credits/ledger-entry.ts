import { clampInt, finiteNonNegative, INT4_MAX, safeIsoTime, safeText } from '@gw/queue';

/** One settled call, as enqueued by the inference plane and written by the ledger processor. */
export interface UsageEntryV1 {
  v: 1;
  requestId: string;
  orgId: string;
  apiKeyId: string | null;
  userId: string | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Credits charged (positive number; stored negated). 0 for a call that never reached the model. */
  credits: number;
  costUsd: number;
  /** ISO-8601 time the call ended. */
  occurredAt: string;
  /** The credit lease the call was granted from (`lease:<uuid>`); absent for a call with a reservation of its own. */
  lease?: string | null;
}

export type UsageEntry = UsageEntryV1;

/**
 * A usage entry that cannot poison its batch: text without NUL or lone surrogates (U+FFFD instead),
 * lengths capped, token counts within `integer`, credits and cost finite and ≥ 0, a valid timestamp.
 * Ids are not rewritten beyond that (a malformed one is dead-lettered by the writer, never guessed).
 * Applied by the billing producer before enqueueing.
 */
export function sanitizeUsageEntry(e: UsageEntry): UsageEntry {
  const id = (v: string | null) => (v === null ? null : safeText(String(v), 256));
  return {
    ...e,
    requestId: safeText(String(e.requestId), 256),
    orgId: safeText(String(e.orgId), 256),
    apiKeyId: id(e.apiKeyId ?? null),
    userId: id(e.userId ?? null),
    model: safeText(String(e.model), 256),
    inputTokens: clampInt(e.inputTokens, 0, INT4_MAX),
    outputTokens: clampInt(e.outputTokens, 0, INT4_MAX),
    credits: clampInt(e.credits, 0, Number.MAX_SAFE_INTEGER),
    costUsd: finiteNonNegative(e.costUsd, 1e15),
    occurredAt: safeIsoTime(e.occurredAt),
    ...(e.lease ? { lease: safeText(String(e.lease), 256) } : {}),
  };
}
