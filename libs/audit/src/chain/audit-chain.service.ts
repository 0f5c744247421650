import { classifyWriteError, DeadLetterStore, invalidPayload, type WriteFailure } from '@gw/queue';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository } from '../audit.repository';
import { deleteExpiredContent } from '../content/content-store';
import type { AuditRecord } from '../audit-record';
import { parseAuditJob } from '../queue/audit.queue';
import { ensurePartitions } from './audit-partitions';
import { applyOrgRetention, dropExpiredPartitions } from './audit-retention';
import * as SQL from './chain.sql';
import type { ChainedAuditEvent } from './audit-event.types';
import type { TxClient } from './chain-writer';
import type { CheckpointSigner } from './checkpoint-signer';
import * as INBOX from './inbox.sql';

export const AUDIT_SIGNER = Symbol('AUDIT_SIGNER');
export const AUDIT_CHAIN_TIMING = Symbol('AUDIT_CHAIN_TIMING');
export interface AuditChainTiming {
  inboxPollMs: number;
  checkpointIntervalMs: number;
  partitionsAhead: number;
  /** Global retention in months (0 = forever). */
  retentionMonths?: number;
}

const INBOX_BATCH = 1_000;
interface InboxRow {
  id: string;
  record: unknown;
}
const PARTITION_CHECK_MS = 6 * 3600_000;
const RETENTION_CHECK_MS = 3600_000;

/**
 * The control app's side of the chain, besides the queue worker: registers the signing key, keeps monthly
 * partitions ahead, drains `audit_inbox` into the chain, and signs a checkpoint for every org whose last one is
 * older than the interval. Every replica runs it; row locks keep them from doing the same work twice.
 */
@Injectable()
export class AuditChainService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('AuditChain');
  private readonly timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly repository: AuditRepository,
    @Inject(AUDIT_CHAIN_TIMING) private readonly timing: AuditChainTiming,
    @Optional() @Inject(AUDIT_SIGNER) private readonly signer?: CheckpointSigner | null,
    @Optional() private readonly deadLetters?: DeadLetterStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.signer) await this.ds.query(SQL.REGISTER_KEY_SQL, [this.signer.keyId, this.signer.publicKeyPem]);
    await this.maintainPartitions();
    // Not awaited: an inbox holding a migrated table's millions of rows must not keep the app from becoming ready.
    this.every(this.timing.inboxPollMs, () => this.drainInbox(), true);
    this.every(Math.max(100, Math.floor(this.timing.checkpointIntervalMs / 4)), () => this.checkpointDue());
    this.every(PARTITION_CHECK_MS, () => this.maintainPartitions());
    this.every(RETENTION_CHECK_MS, () => this.applyRetention());
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.running.catch(() => undefined);
  }

  /** Creates the partitions of this month and the next `partitionsAhead`. */
  async maintainPartitions(): Promise<string[]> {
    const created = await ensurePartitions(this.ds, new Date(), this.timing.partitionsAhead);
    if (created.length) this.log.log(`created audit partitions ${created.join(', ')}`);
    return created;
  }

  /**
   * Drops the partitions past the global retention, deletes the oldest events of orgs with a shorter one (their
   * content with them), then retained content past its own expiry or its org's content retention.
   * @returns partitions dropped, events deleted, content rows deleted.
   */
  async applyRetention(now = new Date()): Promise<{ dropped: string[]; deleted: number; contentDeleted: number }> {
    const run = <T>(work: (tx: TxClient) => Promise<T>) => this.repository.inTransaction(work);
    const months = this.timing.retentionMonths ?? 0;
    const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
    const dropped = months > 0 ? await dropExpiredPartitions(run, this.ds, cutoff) : [];
    const deleted = await applyOrgRetention(run, this.ds, now);
    const contentDeleted = await deleteExpiredContent(run, this.ds, now);
    if (dropped.length || deleted || contentDeleted) {
      this.log.log(`audit retention: dropped ${dropped.join(', ') || 'no partition'}, deleted ${deleted} event(s) past per-org retention and ${contentDeleted} expired content row(s)`);
    }
    return { dropped, deleted, contentDeleted };
  }

  /** Moves inbox records into the chain, oldest first, until the inbox is empty. @returns records taken. */
  async drainInbox(): Promise<number> {
    const [probe] = await this.ds.query<Array<{ waiting: boolean }>>(INBOX.INBOX_WAITING_SQL);
    if (!probe?.waiting) return 0;
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = await this.chainBatch(INBOX_BATCH);
      } catch (err) {
        if (classifyWriteError(err).kind !== 'data') throw err;
        n = await this.drainOneByOne(); // a record Postgres refuses: isolate it, chain the others
      }
      total += n;
      if (n < INBOX_BATCH || this.stopped) return total;
    }
  }

  /** One batch in one transaction; what it chained counts in the metrics once committed. */
  private async chainBatch(limit: number): Promise<number> {
    const written: ChainedAuditEvent[] = [];
    const n = await this.repository.inTransaction((tx) => this.drainBatch(tx, limit, written));
    this.repository.recordWritten(written);
    return n;
  }

  private async drainBatch(tx: TxClient, limit: number, written: ChainedAuditEvent[]): Promise<number> {
    const rows = (await tx.query(INBOX.TAKE_INBOX_SQL, [limit])) as InboxRow[];
    const valid: AuditRecord[] = [];
    for (const row of rows) {
      try {
        valid.push(parseAuditJob(row.record));
      } catch (err) {
        await this.deadLetter(row, invalidPayload(err));
      }
    }
    written.push(...(await this.repository.writer.append(tx, valid)));
    if (rows.length) await tx.query(INBOX.DELETE_INBOX_SQL, [rows.map((r) => r.id)]);
    return rows.length;
  }

  /** One record per transaction; one that still fails is dead-lettered and removed. */
  private async drainOneByOne(): Promise<number> {
    let n = 0;
    for (; n < INBOX_BATCH && !this.stopped; n++) {
      try {
        if ((await this.chainBatch(1)) === 0) break;
      } catch (err) {
        const failure = classifyWriteError(err);
        if (failure.kind !== 'data') throw err;
        const [row] = await this.ds.query<InboxRow[]>(INBOX.TAKE_INBOX_SQL.replace('FOR UPDATE SKIP LOCKED', ''), [1]);
        if (!row) break;
        await this.deadLetter(row, failure);
        await this.ds.query(INBOX.DELETE_INBOX_SQL, [[row.id]]);
      }
    }
    return n;
  }

  /** Signs a checkpoint at the head of every org whose last one is older than the interval. @returns orgs signed. */
  async checkpointDue(): Promise<number> {
    if (!this.signer) return 0;
    const due = await this.ds.query<Array<{ org_id: string }>>(INBOX.DUE_CHECKPOINTS_SQL, [this.timing.checkpointIntervalMs]);
    if (!due.length) return 0;
    return this.repository.inTransaction(async (tx) => {
      const heads = (await tx.query(INBOX.LOCK_DUE_HEADS_SQL, [due.map((d) => d.org_id)])) as Array<{ org_id: string; seq: string; entry_hash: Buffer }>;
      const at = new Date().toISOString();
      const points = heads.map((h) => ({ org_id: h.org_id, seq: Number(h.seq), entry_hash: h.entry_hash.toString('hex'), created_at: at }));
      return (await this.repository.writer.checkpoint(tx, points)).length;
    });
  }

  private async deadLetter(row: InboxRow, failure: WriteFailure): Promise<void> {
    this.log.error(`audit inbox record ${row.id} was dead-lettered: ${failure.code} ${failure.message}`);
    await this.deadLetters?.put({
      queue: 'audit-inbox',
      recordKey: `inbox:${row.id}`,
      jobId: null,
      jobName: null,
      payload: row.record,
      failure,
      attempts: 1,
    });
  }

  /** Runs `task` every `ms` (and at once when `now`), one run at a time, logging failures (the next tick retries). */
  private every(ms: number, task: () => Promise<unknown>, now = false): void {
    let busy = false;
    const tick = () => {
      if (busy || this.stopped) return;
      busy = true;
      this.running = task()
        .catch((err: Error) => this.log.warn(`audit chain task failed (retrying): ${err.message}`))
        .finally(() => (busy = false));
    };
    const t = setInterval(tick, ms);
    t.unref();
    this.timers.push(t);
    if (now) tick();
  }
}
