import { jobIdFor, QueueName } from '@gw/queue';
import { UnrecoverableError } from 'bullmq';
import type { UsageEntry } from './ledger-entry';

export const BILLING_QUEUE = QueueName.Billing;
export const BILLING_JOB_NAME = 'usage-entry';

/** `<requestId>.billing`: a retried enqueue of one call's entry is ignored by BullMQ. */
export const billingJobId = (requestId: string): string => jobIdFor(requestId, 'billing');

/**
 * Jobs carrying a producer's flush (`{ v: 1, records }`, issue 12). The id starts with the producing process's boot
 * id, so the orphan sweeper can tell that a dead boot still has settlements waiting in the queue.
 */
export const BILLING_BATCH_JOB_NAME = 'usage-batch';
export const billingBatchJobId = (bootId: string, seq: number): string => `${bootId}.${seq}.billing-batch`;
const BATCH_ID = /^([0-9a-f-]{36})\.\d+\.billing-batch$/i;
/** The boot id of a batch job id; null for other ids. */
export const bootOfBillingBatch = (jobId: string): string | null => BATCH_ID.exec(jobId)?.[1]?.toLowerCase() ?? null;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isUuidOrNull = (v: unknown) => v === null || (typeof v === 'string' && UUID.test(v));

/** Validates a billing job; a malformed one can never succeed, so the worker dead-letters it at once. */
export function parseUsageEntry(data: unknown): UsageEntry {
  const e = (data ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (e.v !== 1) problems.push('unsupported version'); // values stay out of messages: they end up in logs
  if (typeof e.requestId !== 'string' || !e.requestId) problems.push('requestId must be a string');
  if (typeof e.orgId !== 'string' || !UUID.test(e.orgId)) problems.push('orgId must be a uuid');
  if (!isUuidOrNull(e.apiKeyId)) problems.push('apiKeyId must be a uuid or null');
  if (!isUuidOrNull(e.userId)) problems.push('userId must be a uuid or null');
  if (typeof e.model !== 'string') problems.push('model must be a string');
  for (const k of ['inputTokens', 'outputTokens', 'credits', 'costUsd']) if (!isCount(e[k])) problems.push(`${k} must be a number ≥ 0`);
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) problems.push('occurredAt must be a date');
  if (e.lease !== undefined && e.lease !== null && typeof e.lease !== 'string') problems.push('lease must be a string or null');
  if (problems.length) throw new UnrecoverableError(`invalid usage entry: ${problems.join('; ')}`);
  return e as unknown as UsageEntry;
}
