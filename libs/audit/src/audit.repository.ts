import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';
import type { AuditRecord } from './audit-record';

/** Column name, array type for UNNEST, and value of one record, in insert order. */
const COLUMNS: ReadonlyArray<readonly [string, string, (r: AuditRecord) => unknown]> = [
  ['request_id', 'text', (r) => r.requestId],
  ['surface', 'text', (r) => r.surface],
  ['model', 'text', (r) => r.model],
  ['provider', 'text', (r) => r.provider],
  ['upstream_model', 'text', (r) => r.upstreamModel],
  ['stream', 'boolean', (r) => r.stream],
  ['status', 'text', (r) => r.status],
  ['http_status', 'smallint', (r) => Math.round(r.httpStatus)],
  ['error_code', 'text', (r) => r.errorCode ?? null],
  ['finish_reason', 'text', (r) => r.finishReason ?? null],
  ['input_tokens', 'integer', (r) => Math.round(r.inputTokens)],
  ['output_tokens', 'integer', (r) => Math.round(r.outputTokens)],
  ['started_at', 'timestamptz', (r) => r.startedAt],
  ['finished_at', 'timestamptz', (r) => r.finishedAt],
  ['latency_ms', 'integer', (r) => Math.round(r.latencyMs)],
  ['ttft_ms', 'integer', (r) => (r.ttftMs == null ? null : Math.round(r.ttftMs))],
  ['attributes', 'jsonb', (r) => JSON.stringify(r.attributes ?? {})],
];

/**
 * One statement for the whole batch: 17 array parameters whatever the batch size (no 65,535
 * parameter limit, one plan), one implicit transaction. UNIQUE(request_id) + DO NOTHING makes a
 * redelivered job harmless.
 */
const INSERT_BATCH_SQL =
  `INSERT INTO "audit_event" (${COLUMNS.map(([c]) => `"${c}"`).join(', ')}) ` +
  `SELECT * FROM unnest(${COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')}) ` +
  `ON CONFLICT ("request_id") DO NOTHING`;

/** Owns the SQL of the audit_event table. */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  /**
   * Inserts the records in one statement, skipping request ids already stored.
   * Rows are sorted by request id so two concurrent batches lock keys in the same order.
   * @returns the number of rows actually inserted.
   */
  async insertBatch(records: readonly AuditRecord[]): Promise<number> {
    if (!records.length) return 0;
    const unique = new Map(records.map((r) => [r.requestId, r]));
    const rows = [...unique.values()].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
    const params = COLUMNS.map(([, , value]) => rows.map(value));
    const runner = this.events.manager.connection.createQueryRunner();
    try {
      const result = await runner.query(INSERT_BATCH_SQL, params, true);
      return result.affected ?? 0;
    } finally {
      await runner.release();
    }
  }

  findByRequestId(requestId: string): Promise<AuditEventEntity | null> {
    return this.events.findOneBy({ requestId });
  }

  count(): Promise<number> {
    return this.events.count();
  }
}
