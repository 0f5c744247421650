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
}

export type UsageEntry = UsageEntryV1;
