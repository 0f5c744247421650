import { jobIdFor, QueueName } from '@gw/queue';
import { UnrecoverableError } from 'bullmq';
import { isRequestRecord, type AuditRecord } from '../audit-record';
import { AUDIT_EVENT_CLASSES } from '../chain/audit-event.types';
import { SecretBox } from '../connectors/secret-box';

/** The audit queue, its job name and payload: one {@link AuditRecord} per job. */
export const AUDIT_QUEUE = QueueName.Audit;
export const AUDIT_JOB_NAME = 'audit-event';
export type AuditJobData = AuditRecord;

/** `<requestId>.audit`: a retried enqueue of one request's record is ignored by BullMQ. */
export const auditJobId = (requestId: string): string => jobIdFor(requestId, 'audit');

/** The job id of any record: its request id, or the event id of a non-request event. */
export const auditRecordJobId = (r: AuditRecord): string => auditJobId(isRequestRecord(r) ? r.requestId : r.eventId);

/** Jobs carrying a producer's flush (`{ v: 1, records }`): one job per batch of records (issue 12). */
export const AUDIT_BATCH_JOB_NAME = 'audit-batch';
export const auditBatchJobId = (producer: string, seq: number): string => `${producer}.${seq}.audit-batch`;

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNullable = <T>(v: unknown, check: (x: unknown) => x is T): boolean => v === null || v === undefined || check(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown): boolean => isString(v) && !Number.isNaN(Date.parse(v));

function requestProblems(r: Record<string, unknown>, problems: string[]): void {
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
  if (isString(r.startedAt) && !isDate(r.startedAt)) problems.push('startedAt is not a date');
  if (isString(r.finishedAt) && !isDate(r.finishedAt)) problems.push('finishedAt is not a date');
}

/** Sealed content (v2 request records only): sealed values, an expiry, a key id; never plain text. */
function contentProblems(r: Record<string, unknown>, problems: string[]): void {
  const c = r.content;
  if (c === undefined) return;
  if (r.v !== 2 || typeof r.requestId !== 'string') return void problems.push('content is only for request records');
  const sealedOrAbsent = (v: unknown) => v === undefined || SecretBox.isSealed(v);
  const fields = (v: unknown) => v === undefined || (Array.isArray(v) && v.every((f) => f === 'prompt' || f === 'output'));
  if (!isObject(c) || !isDate(c.expires_at) || !isString(c.key_id) || !sealedOrAbsent(c.prompt) || !sealedOrAbsent(c.output) || !fields(c.truncated)) {
    problems.push('content is malformed');
  }
}

function v2Problems(r: Record<string, unknown>, problems: string[]): void {
  if (!(AUDIT_EVENT_CLASSES as readonly unknown[]).includes(r.eventType)) problems.push('eventType is not an event class');
  if (!isNullable(r.orgId, isString)) problems.push('orgId must be a string or null');
  if (!isNullable(r.projectId, isString)) problems.push('projectId must be a string or null');
  const p = r.principal;
  if (!isObject(p) || !isString(p.kind) || !isNullable(p.keyId, isString) || !isNullable(p.userId, isString)) problems.push('principal is malformed');
  if (r.eventType === 'enforcement' || typeof r.requestId === 'string') return requestProblems(r, problems);
  if (!isString(r.eventId)) problems.push('eventId must be a string');
  if (!isDate(r.occurredAt)) problems.push('occurredAt is not a date');
  if (!isObject(r.attributes)) problems.push('attributes must be an object');
}

/**
 * Checks a job payload (or an inbox row) before it is written: every record version ever produced is accepted.
 * A malformed payload can never succeed, so it is not retried: the worker dead-letters it (table dead_letter).
 * Messages name fields, never values.
 */
export function parseAuditJob(data: unknown): AuditRecord {
  const r = (data ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  if (r.v === 1) requestProblems(r, problems);
  else if (r.v === 2) v2Problems(r, problems);
  else problems.push('unsupported version'); // values stay out of messages: they end up in logs
  if (r.attributes !== undefined && !isObject(r.attributes)) problems.push('attributes must be an object');
  contentProblems(r, problems);
  if (problems.length) throw new UnrecoverableError(`invalid audit record: ${[...new Set(problems)].join('; ')}`);
  return data as AuditRecord;
}
