import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import * as SQL from './connector.sql';
import { deliveryJobId, rangesAfter, type DeliveryJob } from './delivery-job';

export interface SchedulerOptions {
  /** Seqs per delivery job. */
  batch: number;
  /** Jobs one connector may get per tick (bounds the queue while a receiver is down and the chain grows). */
  maxJobsPerTick: number;
  /** Connectors per tick. */
  maxConnectors: number;
}

interface DueRow {
  id: string;
  org_id: string;
  cursor_seq: string;
  head: string;
}

/**
 * Turns chain growth into delivery jobs. Every tick, in one transaction: lock the enabled connectors whose cursor is
 * behind their org's chain head (`FOR UPDATE SKIP LOCKED`: with several control replicas each connector is taken by
 * one), enqueue a job per range of seqs, then move the cursors. The enqueue happens before the commit: a crash in
 * between enqueues the same ranges again, with the same job ids (ignored while retained, else delivered twice —
 * at least once, never lost). Producers never learn about connectors, and a connector added later can backfill.
 */
export class ConnectorScheduler {
  constructor(
    private readonly ds: DataSource,
    private readonly queue: Queue,
    private readonly opts: SchedulerOptions,
  ) {}

  /** @returns jobs enqueued. */
  async tick(): Promise<number> {
    const [probe] = await this.ds.query<Array<{ due: boolean }>>(
      `SELECT EXISTS (SELECT 1 FROM audit_connector c JOIN audit_chain h ON h.org_id = c.org_id WHERE c.enabled AND h.seq > c.cursor_seq) AS due`,
    );
    if (!probe?.due) return 0;
    return this.ds.transaction(async (tx) => {
      const due = await tx.query<DueRow[]>(SQL.DUE_SQL, [this.opts.maxConnectors]);
      const jobs: Array<{ name: string; data: DeliveryJob; opts: { jobId: string } }> = [];
      const ids: string[] = [];
      const cursors: string[] = [];
      for (const row of due) {
        const ranges = rangesAfter(Number(row.cursor_seq), Number(row.head), this.opts.batch, this.opts.maxJobsPerTick);
        if (!ranges.length) continue;
        for (const r of ranges) {
          const data: DeliveryJob = { c: row.id, o: row.org_id, from: r.from, to: r.to };
          jobs.push({ name: 'deliver', data, opts: { jobId: deliveryJobId(data) } });
        }
        ids.push(row.id);
        cursors.push(String(ranges[ranges.length - 1].to));
      }
      if (!jobs.length) return 0;
      await this.queue.addBulk(jobs);
      await tx.query(SQL.ADVANCE_SQL, [ids, cursors]);
      return jobs.length;
    });
  }
}
