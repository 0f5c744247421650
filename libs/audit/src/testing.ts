import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadLetterStore, DEFAULT_JOB_OPTIONS, type QueueConnection } from '@gw/queue';
import { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AuditRecordV1 } from './audit-record';
import { AuditRepository } from './audit.repository';
import { AuditChainService } from './chain/audit-chain.service';
import { AUDIT_QUEUE } from './queue/audit.queue';
import { AuditProcessor, type AuditProcessorOptions } from './queue/audit.processor';
import { AuditProducer, type AuditProducerOptions } from './queue/audit.producer';

/** Test support (not exported from the main barrel). Import from `libs/audit/src/testing`. */

/** A valid audit record with a fresh request id; override any field. */
export function makeAuditRecord(overrides: Partial<AuditRecordV1> = {}): AuditRecordV1 {
  const finished = Date.now();
  return {
    v: 1,
    requestId: `req_${randomUUID()}`,
    surface: 'chat.completions',
    model: 'abliterated-model',
    provider: 'local',
    upstreamModel: 'stories260K',
    stream: false,
    status: 'ok',
    httpStatus: 200,
    errorCode: null,
    finishReason: 'stop',
    inputTokens: 12,
    outputTokens: 34,
    startedAt: new Date(finished - 25).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    latencyMs: 25,
    ttftMs: null,
    ...overrides,
  };
}

/** An {@link AuditRepository} over a plain data source (no Nest container). */
export function createAuditRepository(dataSource: DataSource): AuditRepository {
  return new AuditRepository(dataSource);
}

export async function countAuditRows(dataSource: DataSource): Promise<number> {
  const [row] = await dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM audit_event');
  return row?.n ?? 0;
}

/**
 * Resolves with the row count once `audit_event` holds at least `n` rows; rejects with the count
 * reached after `timeoutMs`.
 */
export async function waitForAuditRows(dataSource: DataSource, n: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await countAuditRows(dataSource);
    if (count >= n) return count;
    await sleep(25);
  }
  throw new Error(`audit_event has ${count} row(s) after ${timeoutMs} ms, expected ${n}`);
}

/** Which of `requestIds` are missing from audit_event, and how many rows each present one has. */
export async function auditCoverage(dataSource: DataSource, requestIds: string[]): Promise<{ missing: string[]; duplicated: string[] }> {
  const rows = await dataSource.query<{ request_id: string; n: number }[]>(
    'SELECT request_id, count(*)::int AS n FROM audit_event WHERE request_id = ANY($1::text[]) GROUP BY request_id',
    [requestIds],
  );
  const seen = new Map(rows.map((r) => [r.request_id, r.n]));
  return {
    missing: requestIds.filter((id) => !seen.has(id)),
    duplicated: rows.filter((r) => r.n > 1).map((r) => r.request_id),
  };
}

export interface AuditPipeline {
  queue: Queue;
  producer: AuditProducer;
  processor: AuditProcessor;
  /** Flushes the producer, drains the worker, optionally removes the queue's jobs (Redis test prefixes), closes the queue. */
  close(opts?: { obliterate?: boolean }): Promise<void>;
}

/**
 * Producer + queue + worker over a plain data source, without a Nest container (medium tests,
 * benchmarks). Options default to the gateway defaults, dead-letter table included (`deadLetters: null`: none).
 */
export function startAuditPipeline(
  connection: QueueConnection,
  dataSource: DataSource,
  opts: { producer?: Partial<AuditProducerOptions>; processor?: Partial<AuditProcessorOptions>; startWorker?: boolean; deadLetters?: DeadLetterStore | null } = {},
): AuditPipeline {
  const queue = new Queue(AUDIT_QUEUE, { connection: connection.connection, prefix: connection.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  queue.on('error', () => undefined);
  const producer = new AuditProducer(queue, { batchSize: 500, flushMs: 20, maxBuffered: 100_000, ...opts.producer });
  const processor = new AuditProcessor(createAuditRepository(dataSource), connection, {
    concurrency: 500,
    batchSize: 500,
    lingerMs: 5,
    maxConcurrentWrites: 2,
    ...opts.processor,
  }, opts.deadLetters === null ? undefined : (opts.deadLetters ?? new DeadLetterStore(dataSource)));
  if (opts.startWorker !== false) processor.start();
  return {
    queue,
    producer,
    processor,
    close: async ({ obliterate = false } = {}) => {
      await producer.close();
      await processor.close();
      if (obliterate) await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

/** Chains one version-2 request record of `orgId` with a policy block (what the inference plane records); its seq. */
export async function insertPolicyAuditEvent(
  dataSource: DataSource,
  o: { orgId: string | null; requestId: string; at: Date | string; policy: Record<string, unknown> | null; model?: string },
): Promise<string> {
  const at = new Date(o.at).toISOString();
  const rec = makeAuditRecord({ requestId: o.requestId, surface: 'chat.completions', model: o.model ?? 'abliterated-model', startedAt: at, finishedAt: at, latencyMs: 1 });
  const v2 = { ...rec, v: 2 as const, eventType: 'enforcement' as const, orgId: o.orgId, projectId: null, principal: { kind: 'api_key', keyId: null, userId: null }, attributes: o.policy ? { policy: o.policy } : {} };
  await new AuditRepository(dataSource).insertBatch([v2]);
  const [row] = await dataSource.query<Array<{ seq: string }>>('SELECT seq::text AS seq FROM audit_event WHERE request_id = $1', [o.requestId]);
  if (!row) throw new Error(`audit event of ${o.requestId} was not written`);
  return row.seq;
}

/** Chains what `audit_inbox` holds (what the control app does every AUDIT_INBOX_POLL_MS). @returns records taken. */
export function drainAuditInbox(dataSource: DataSource): Promise<number> {
  const chain = new AuditChainService(dataSource, new AuditRepository(dataSource), { inboxPollMs: 250, checkpointIntervalMs: 60_000, partitionsAhead: 1 }, null);
  return chain.drainInbox();
}
