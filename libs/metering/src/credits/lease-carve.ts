import type { Pool } from 'pg';
import type { ProgressBook } from '../recovery/progress-book';
import { factColumns, type ReservationFacts } from './credit-reservations';
import { certainlyNotApplied } from './query-outcome';

/** A call granted from a lease and not settled yet. */
export interface LeaseCall {
  orgId: string;
  leaseId: string;
  credits: number;
  facts: ReservationFacts;
  /**
   * Its hold may have left the lease for a row of its own (a carve was sent): its settlement then gives nothing back
   * to the lease. Set before a carve is sent and cleared only when the database answered that it was not carved.
   */
  own: boolean;
  /** A carve that included it may have committed or not: send it again (the answer then tells nothing new). */
  retry?: boolean;
  /** When it was granted (ms): a call is carved once it is `minAgeMs` old. */
  at: number;
}

const CARVE_SQL = 'SELECT request_id FROM gw_credit_lease_carve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)';

/**
 * The lease calls in flight, and their carving (gw_credit_lease_carve): a call in flight for `minAgeMs` gets a
 * reservation row with its facts, its hold taken from its lease, so a crash of this process leaves it for the orphan
 * sweeper like any reserved call. Calls that settle sooner (nearly all JSON calls) never get a row.
 */
export class CarveBook {
  private readonly calls = new Map<string, LeaseCall>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly progress: ProgressBook,
    private readonly ttlMs: number,
  ) {}

  add(requestId: string, call: LeaseCall): void {
    this.calls.set(requestId, call);
  }

  remove(requestId: string): LeaseCall | undefined {
    const call = this.calls.get(requestId);
    this.calls.delete(requestId);
    return call;
  }

  /** Whether a call granted from `leaseId` is still in flight. */
  holds(leaseId: string): boolean {
    for (const call of this.calls.values()) if (call.leaseId === leaseId) return true;
    return false;
  }

  get size(): number {
    return this.calls.size;
  }

  /**
   * Carves the calls at least `minAgeMs` old; one carve at a time (a tick finding one running waits for it). Never
   * rejects: a run's failure goes to `onError` once, however many callers waited for it.
   */
  carveAll(minAgeMs: number, onError: (err: Error) => void): Promise<void> {
    this.running ??= this.run(Date.now() - minAgeMs)
      .catch(onError)
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async idle(): Promise<void> {
    await this.running;
  }

  private async run(grantedBy: number): Promise<void> {
    const byLease = new Map<string, Array<[string, LeaseCall, boolean]>>();
    for (const [id, call] of this.calls) {
      if ((call.own && !call.retry) || call.at > grantedBy) continue;
      const first = !call.own;
      call.own = true;
      call.retry = false;
      let group = byLease.get(call.leaseId);
      if (!group) byLease.set(call.leaseId, (group = []));
      group.push([id, call, first]);
    }
    const errors: Error[] = [];
    for (const [leaseId, group] of byLease) {
      try {
        const carved = await this.send(leaseId, group);
        // A first carve that left a call out is definitive (its ledger entry or request id existed): the lease keeps it.
        for (const [id, call, first] of group) if (first && !carved.has(id)) call.own = false;
        this.progress.retry({ requestIds: [...carved], inputTokens: [], outputTokens: [] }); // their progress goes to the new rows
      } catch (err) {
        // Rolled back for sure: nothing moved, the calls are carved at the next tick. Else their rows may exist.
        const none = certainlyNotApplied(err);
        for (const [, call, first] of group) {
          if (none && first) call.own = false;
          else call.retry = true;
        }
        errors.push(err as Error);
      }
    }
    if (errors.length) throw errors[0];
  }

  private async send(leaseId: string, group: Array<[string, LeaseCall, boolean]>): Promise<Set<string>> {
    const calls = group.map(([, c]) => c);
    const { rows } = await this.pool.query<{ request_id: string }>(CARVE_SQL, [
      leaseId,
      this.ttlMs,
      group.map(([id]) => id),
      calls.map((c) => c.credits),
      ...factColumns(calls.map((c) => c.facts)),
    ]);
    return new Set(rows.map((r) => r.request_id));
  }
}
