import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { BILLING_QUEUE, billingJobId, bootOfBillingBatch } from '../credits/billing.queue';
import type { Pricing } from '../credits/credit-math';
import { DEAD_LEASES_EXIST_SQL, FIND_ORPHANS_SQL, FORGET_DEAD_REPLICAS_SQL, RELEASE_DEAD_LEASES_SQL, SETTLE_ORPHANS_SQL } from './orphan.sql';

export const ORPHAN_SWEEPER_OPTIONS = Symbol('ORPHAN_SWEEPER_OPTIONS');

/** What the sweeper needs of its own process's lease. */
export interface SweeperLease {
  bootId: string;
  healthyFor(ms: number): boolean;
}

export interface OrphanSweeperOptions {
  /** This process's lease: its own calls are never orphans, and it judges others only while healthy. */
  lease?: SweeperLease;
  /** Embedded mode: one process owns the database, so every other boot is a dead predecessor. */
  othersDead: boolean;
  staleMs: number;
  everyMs: number;
  pricing: Pricing;
  batchSize: number;
}

export interface SweepResult {
  settled: number;
  charged: number;
  audited: number;
  credits: number;
  /** Orphans left for the queue: their billing job is still pending. */
  deferred: number;
  /** Credit leases of dead boots given back. */
  leasesReleased: number;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Settles and audits the calls of dead processes (SIGKILL, OOM, lost host) as `gateway_lost`, at start
 * and every `everyMs`, in the control plane. A reservation whose billing job is still queued is left
 * to the ledger processor (the real settlement beats the checkpoint); everything else of a dead boot
 * is settled in one transaction per batch (see SETTLE_ORPHANS_SQL), exactly once even when sweepers race.
 */
@Injectable()
export class OrphanSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(OrphanSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult | undefined> | undefined;

  constructor(
    private readonly ds: DataSource,
    @InjectQueue(BILLING_QUEUE) private readonly billing: Queue,
    @Inject(ORPHAN_SWEEPER_OPTIONS) private readonly opts: OrphanSweeperOptions,
  ) {}

  onApplicationBootstrap(): void {
    void this.tick(); // a restarted process recovers its predecessor's calls at once
    this.timer = setInterval(() => void this.tick(), this.opts.everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): Promise<unknown> | undefined {
    clearInterval(this.timer);
    return this.running;
  }

  private tick(): Promise<SweepResult | undefined> {
    this.running ??= this.sweep()
      .catch((err: Error) => {
        this.log.warn(`orphan sweep failed (${err.message}); retrying at the next tick`);
        return undefined;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** One pass over the current orphans (batches until none is left but the deferred ones). */
  async sweep(): Promise<SweepResult> {
    const total: SweepResult = { settled: 0, charged: 0, audited: 0, credits: 0, deferred: 0, leasesReleased: 0 };
    const { lease, othersDead, staleMs, pricing, batchSize } = this.opts;
    // Heartbeats only prove a death if this process could have seen them for the whole stale window.
    if (!othersDead && lease && !lease.healthyFor(staleMs)) return total;
    const dead = [lease?.bootId ?? NIL_UUID, othersDead, staleMs] as const;
    const seen = new Set<string>();
    let busyBoots: Set<string> | undefined;
    for (;;) {
      const rows = await this.ds.query<Array<{ request_id: string; boot_id: string }>>(FIND_ORPHANS_SQL, [batchSize + seen.size, ...dead]);
      const fresh = rows.filter((r) => !seen.has(r.request_id));
      if (!fresh.length) break;
      fresh.forEach((r) => seen.add(r.request_id));
      busyBoots ??= await this.bootsWithQueuedBatches();
      const ids = await this.withoutQueuedSettlement(fresh.filter((r) => !busyBoots!.has(r.boot_id)).map((r) => r.request_id));
      total.deferred += fresh.length - ids.length;
      if (!ids.length) continue;
      const [r] = await this.ds.query<Array<{ settled: number; charged: number; audited: number; credits: string }>>(SETTLE_ORPHANS_SQL, [
        ids,
        ...dead,
        pricing.tokensPerCredit,
        pricing.usdPerToken,
      ]);
      total.settled += r.settled;
      total.charged += r.charged;
      total.audited += r.audited;
      total.credits += Number(r.credits);
    }
    // The queued job ids are read only when a dead boot holds a lease (they grow with a queue backlog).
    const [{ found }] = await this.ds.query<Array<{ found: boolean }>>(DEAD_LEASES_EXIST_SQL, [[], ...dead]);
    if (found) {
      busyBoots ??= await this.bootsWithQueuedBatches();
      const released = await this.ds.query<unknown[]>(RELEASE_DEAD_LEASES_SQL, [[...busyBoots], ...dead]);
      total.leasesReleased = Array.isArray(released[0]) ? released[0].length : released.length; // TypeORM: [rows, count] for a DELETE
    }
    await this.ds.query(FORGET_DEAD_REPLICAS_SQL, [...dead]);
    if (total.settled) {
      // Counts only: request ids may come from callers (x-request-id).
      this.log.warn(
        `recovered ${total.settled} call(s) of dead gateway processes as gateway_lost: ${total.charged} charged (${total.credits} credits), ${total.audited} audited`,
      );
    }
    return total;
  }

  /**
   * Boots that still have a batch of usage entries waiting in the billing queue: their orphans are the ledger
   * processor's until it is done (a dead boot's last batches may be queued behind others). Job ids only, no payloads.
   */
  private async bootsWithQueuedBatches(): Promise<Set<string>> {
    const ids = await this.billing.getRanges(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'], 0, -1, true);
    const boots = new Set<string>();
    for (const id of ids) {
      const boot = bootOfBillingBatch(id);
      if (boot) boots.add(boot);
    }
    return boots;
  }

  /** Orphans whose own billing job (one entry per job: earlier releases, replays) is still pending are the ledger processor's. */
  private async withoutQueuedSettlement(ids: string[]): Promise<string[]> {
    const jobs = await Promise.all(ids.map((id) => this.billing.getJob(billingJobId(id))));
    return ids.filter((_, i) => {
      const job = jobs[i];
      return !job || job.finishedOn !== undefined;
    });
  }
}
