import { jobIdFor, QueueName } from '@gw/queue';
import { UnrecoverableError } from 'bullmq';
import type { AuditRecord } from '../audit-record';

/** The audit queue, its job name and payload: one {@link AuditRecord} per job. */
export const AUDIT_QUEUE = QueueName.Audit;
export const AUDIT_JOB_NAME = 'audit-event';
export type AuditJobData = AuditRecord;

/** `<requestId>.audit`: a retried enqueue of one request's record is ignored by BullMQ. */
export const auditJobId = (requestId: string): string => jobIdFor(requestId, 'audit');

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNullable = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === null || v === undefined || check(v);

/**
 * Checks a job payload before it is written. A malformed payload can never succeed, so it is not
 * retried: the worker dead-letters it (table dead_letter). Messages name fields, never values.
 */
export function parseAuditJob(data: unknown): AuditRecord {
  const r = (data ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (r.v !== 1) problems.push('unsupported version'); // values stay out of messages: they end up in logs
  for (const k of ['requestId', 'surface', 'model', 'provider', 'upstreamModel', 'status', 'startedAt', 'finishedAt']) {
    if (!isString(r[k])) problems.push(`${k} must be a string`);
  }
  for (const k of ['httpStatus', 'inputTokens', 'outputTokens', 'latencyMs']) {
    if (!isInt(r[k])) problems.push(`${k} must be a number`);
  }
  if (typeof r.stream !== 'boolean') problems.push('stream must be a boolean');
  if (!isNullable(r.ttftMs, isInt)) problems.push('ttftMs must be a number or null');
  if (!isNullable(r.errorCode, isString)) problems.push('errorCode must be a string or null');
  if (!isNullable(r.finishReason, isString)) problems.push('finishReason must be a string or null');
  if (isString(r.startedAt) && Number.isNaN(Date.parse(r.startedAt))) problems.push('startedAt is not a date');
  if (isString(r.finishedAt) && Number.isNaN(Date.parse(r.finishedAt))) problems.push('finishedAt is not a date');
  if (r.attributes !== undefined && (typeof r.attributes !== 'object' || r.attributes === null || Array.isArray(r.attributes))) {
    problems.push('attributes must be an object');
  }
  if (problems.length) throw new UnrecoverableError(`invalid audit record: ${problems.join('; ')}`);
  return data as AuditRecord;
}
