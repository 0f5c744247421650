import { Inject, Injectable, Optional } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from '@gw/observability';
import { copyRows } from './chain/copy-rows';
import type { AuditRecord } from './audit-record';
import { ensurePartitions, isMissingPartition } from './chain/audit-partitions';
import type { ChainedAuditEvent } from './chain/audit-event.types';
import { eventFromRow, EVENT_SELECT, type AuditEventRow } from './chain/event-row';
import { requestEventId } from './chain/record-to-event';
import { ChainWriter, type ChainWriterOptions, type TxClient } from './chain/chain-writer';

export const CHAIN_WRITER_OPTIONS = Symbol('CHAIN_WRITER_OPTIONS');

/** Without a signing key (tests that only count rows): no checkpoints. */
const DEFAULTS: ChainWriterOptions = { signer: null, checkpointEvery: 1_000, dedupeWindowMs: 7 * 24 * 3600_000 };

/**
 * Owns the writes of `audit_event`: every batch is one transaction that chains it (see {@link ChainWriter}).
 * A redelivered record (same event id) is skipped, so a job written twice stores one row.
 */
@Injectable()
export class AuditRepository {
  readonly writer: ChainWriter;

  constructor(
    private readonly ds: DataSource,
    @Optional() @Inject(CHAIN_WRITER_OPTIONS) opts?: ChainWriterOptions,
    @Optional() private readonly metrics?: GatewayMetrics,
  ) {
    this.writer = new ChainWriter(opts ?? DEFAULTS);
  }

  /** Chains the records in one transaction. @returns the number of rows actually inserted. */
  async insertBatch(records: readonly AuditRecord[]): Promise<number> {
    if (!records.length) return 0;
    const written = await this.inTransaction((tx) => this.writer.append(tx, records));
    this.recordWritten(written);
    return written.length;
  }

  /** Committed rows into the metrics: how many, and how long after their event each was written (audit lag). */
  recordWritten(events: readonly ChainedAuditEvent[]): void {
    if (!this.metrics?.enabled || events.length === 0) return;
    const now = Date.now();
    this.metrics.auditRows.inc(events.length);
    for (const e of events) this.metrics.auditLag.observe(Math.max(0, now - Date.parse(e.occurred_at)) / 1000);
  }

  /**
   * Runs `work` in a transaction; when the month's partition is missing (a first write past the months created
   * ahead), creates it and runs `work` once more.
   */
  async inTransaction<T>(work: (tx: TxClient) => Promise<T>): Promise<T> {
    try {
      return await this.transaction(work);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      await ensurePartitions(this.ds, new Date(), 1);
      return this.transaction(work);
    }
  }

  private async transaction<T>(work: (tx: TxClient) => Promise<T>): Promise<T> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
      const tx: TxClient = { query: (sql, params) => runner.query(sql, params), copy: (table, columns, rows) => copyRows(client, table, columns, rows) };
      const out = await work(tx);
      await runner.commitTransaction();
      return out;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** The event recorded for a request, or null. */
  async findByRequestId(requestId: string): Promise<ChainedAuditEvent | null> {
    const rows = await this.ds.query<AuditEventRow[]>(`SELECT ${EVENT_SELECT} FROM audit_event WHERE event_id = $1::uuid`, [requestEventId(requestId)]);
    return rows[0] ? eventFromRow(rows[0]) : null;
  }

  async count(): Promise<number> {
    const [row] = await this.ds.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM audit_event`);
    return row?.n ?? 0;
  }
}

export type { ChainedAuditEvent };
