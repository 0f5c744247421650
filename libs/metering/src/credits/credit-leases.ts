import { Pool } from 'pg';
import type { ProgressBook } from '../recovery/progress-book';
import type { ReservationFacts } from './credit-reservations';
import { leaseWant, type LeaseSizing } from './lease-sizing';
import { CarveBook } from './lease-carve';
import { LeaseOps, newLease, type OrgLease } from './lease-ops';

export interface CreditLeaseOptions extends LeaseSizing {
  bootId: string;
  progress: ProgressBook;
  /** The lease row's expiry (CREDIT_RESERVATION_TTL_MS); a lease not renewed within half of it is not granted from. */
  ttlMs: number;
  /** Unused credits of a lease not granted from for this long go back to the organisation. */
  idleMs: number;
  /** A lease call in flight this long is carved into a reservation row of its own (crash evidence). */
  carveMs: number;
  onError?: (what: string, err: Error) => void;
}

export interface LeaseGrant {
  leaseId: string;
  /** The organisation's available credits as this replica sees them, before this grant. */
  availableBefore: number;
}

/** After a failed take or return, the organisation's calls reserve one by one for this long before the next try. */
const RETRY_MS = 1_000;

/**
 * Per-replica credit leases (issue 12; CreditLeases migration). Once an organisation's per-call reservation shows
 * enough credits, this replica takes a chunk of them as one held row, in the background, and grants its calls from
 * it in memory: no round trip per call. The lease is topped up before it runs dry, a call it cannot cover falls back
 * to the exact per-call reservation, and near the bottom of a balance no lease is taken at all (see lease-sizing).
 * Calls in flight for `carveMs` (100 ms) are carved out of the lease into rows of their own, so a crash leaves the
 * same evidence as before for every call older than that.
 */
export class CreditLeases {
  private readonly pool: Pool;
  private readonly orgs = new Map<string, OrgLease>();
  private readonly carves: CarveBook;
  private readonly ops: LeaseOps;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly carveTimer: NodeJS.Timeout;

  constructor(
    databaseUrl: string,
    private readonly opts: CreditLeaseOptions,
  ) {
    // Synchronous commit: a lease lost in a database crash while its replica grants from it would be spent twice.
    this.pool = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'llm-gateway-leases' });
    this.pool.on('error', () => undefined); // surfaces on the next query
    this.carves = new CarveBook(this.pool, opts.progress, opts.ttlMs);
    this.ops = new LeaseOps(this.pool, opts, (leaseId) => this.carves.holds(leaseId));
    this.idleTimer = setInterval(() => this.returnIdle(), Math.max(100, Math.floor(opts.idleMs / 2)));
    this.idleTimer.unref();
    this.carveTimer = setInterval(() => void this.carve(), Math.max(10, Math.floor(opts.carveMs / 2)));
    this.carveTimer.unref();
  }

  /** Grants `credits` from the organisation's lease, without I/O; undefined when it cannot (reserve per call then). */
  grant(orgId: string, requestId: string, credits: number, facts: ReservationFacts): LeaseGrant | undefined {
    const l = this.orgs.get(orgId);
    if (!l) return undefined;
    const now = Date.now();
    l.unit = credits;
    if (l.free < credits || now - l.takenAt > this.opts.ttlMs / 2) {
      this.topUp(l);
      return undefined;
    }
    l.free -= credits;
    const availableBefore = l.view;
    l.view -= credits;
    l.usedAt = now;
    this.carves.add(requestId, { orgId, leaseId: l.id, credits, facts, own: false, at: now });
    if (l.free < leaseWant(this.opts, l.unit, l.view) / 2) this.topUp(l);
    return { leaseId: l.id, availableBefore };
  }

  /** Whether the organisation's lease could grant `credits` now (the forecast of speculative dispatch). */
  covers(orgId: string, credits: number): boolean {
    const l = this.orgs.get(orgId);
    return !!l && l.free >= credits && Date.now() - l.takenAt <= this.opts.ttlMs / 2;
  }

  /** A per-call reservation answered: what it left available starts (or grows) the organisation's lease. */
  observe(orgId: string, availableAfter: number, credits: number): void {
    let l = this.orgs.get(orgId);
    if (!l) this.orgs.set(orgId, (l = newLease(orgId, credits)));
    l.unit = credits;
    l.view = availableAfter + l.free;
    l.usedAt = Date.now();
    if (l.free < leaseWant(this.opts, l.unit, l.view) / 2) this.topUp(l);
  }

  /** The call settled, charged `charged` of its grant: what it did not use is this replica's to grant again. */
  settle(requestId: string, charged: number): void {
    const call = this.carves.remove(requestId);
    if (!call) return;
    const l = this.orgs.get(call.orgId);
    if (!l) return;
    const unused = Math.max(0, call.credits - charged);
    l.view += unused;
    // A carved call's hold left the lease with it: the settlement releases its row, not the lease.
    if (!call.own && l.id === call.leaseId) l.free += unused;
  }

  /**
   * Moves the holds of the lease calls in flight for `minAgeMs` into rows of their own (a timer; and each checkpoint).
   * Never rejects: a failure is reported to `onError` once, and the calls are carved at the next tick.
   */
  carve(minAgeMs = this.opts.carveMs): Promise<void> {
    if (!this.carves.size) return Promise.resolve();
    return this.carves.carveAll(minAgeMs, (err) => this.opts.onError?.('credit lease carve', err));
  }

  /**
   * This replica's take or return for the organisation still in flight. A per-call reservation waits for it first:
   * it would otherwise read the lease row as changed while this replica's `free` is not yet, and report the
   * organisation's remaining credits off by the whole change.
   */
  pending(orgId: string): Promise<void> | undefined {
    const l = this.orgs.get(orgId);
    return l?.busy;
  }

  /** Credits held by this replica's leases and not granted (for tests and metrics). */
  freeCredits(orgId: string): number {
    return this.orgs.get(orgId)?.free ?? 0;
  }

  /** Gives back every lease's unused credits (after the calls settled) and closes the pool. */
  async close(): Promise<void> {
    clearInterval(this.idleTimer);
    clearInterval(this.carveTimer);
    await Promise.all([...this.orgs.values()].map((l) => l.busy ?? Promise.resolve()));
    await this.carves.idle();
    await Promise.all(
      [...this.orgs.values()].map(async (l) => {
        if (l.unresolved) await this.giveBack(l); // one more try for the operation in doubt
        if (!l.unresolved) await this.giveBack(l); // then the unused credits go back
      }),
    );
    await this.pool.end().catch(() => undefined);
  }

  private topUp(l: OrgLease): void {
    const now = Date.now();
    if (l.busy || now - l.failedAt < RETRY_MS) return;
    if (l.unresolved) return void this.ops.run(l, l.unresolved);
    const want = leaseWant(this.opts, l.unit, l.view) - l.free;
    const floor = l.unit * this.opts.minCalls;
    const stale = l.exists && now - l.takenAt > this.opts.ttlMs / 2; // renew the row's expiry even with nothing to add
    if (want < floor && !stale) return;
    const asked = Math.max(want, 0);
    void this.ops.run(l, { kind: 'take', seq: ++l.seq, credits: asked, floor: Math.min(floor, asked), create: !l.exists });
  }

  /** Gives back what is idle, and sends again what is unresolved (after RETRY_MS) even where nothing is used. */
  private returnIdle(): void {
    const now = Date.now();
    for (const l of this.orgs.values()) {
      if (l.busy || now - l.failedAt < RETRY_MS) continue;
      if (l.unresolved || (l.usedAt < now - this.opts.idleMs && l.free > 0)) void this.giveBack(l);
    }
  }

  /** Returns the lease's unused credits: one operation (or the unresolved one first), after the one in flight. */
  private async giveBack(l: OrgLease): Promise<void> {
    if (l.busy) await l.busy;
    if (l.busy) return l.busy; // another operation started meanwhile
    if (l.unresolved) return this.ops.run(l, l.unresolved);
    if (!l.exists || l.free <= 0) return;
    const credits = l.free;
    l.free = 0; // not granted from meanwhile; granted again if the return certainly did not commit
    return this.ops.run(l, { kind: 'return', seq: ++l.seq, credits });
  }
}
