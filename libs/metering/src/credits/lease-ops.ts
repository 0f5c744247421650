import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { certainlyNotApplied } from './query-outcome';

/** One organisation's lease on this replica. */
export interface OrgLease {
  orgId: string;
  id: string;
  /** The row exists (a take created it). */
  exists: boolean;
  /** Credits of the lease this replica may still grant. */
  free: number;
  /** The organisation's available credits as this replica sees them (its own `free` included). */
  view: number;
  /** Credits of the organisation's last call here (sizes the lease). */
  unit: number;
  takenAt: number;
  usedAt: number;
  /** The take or return in flight (one at a time per lease). */
  busy?: Promise<void>;
  failedAt: number;
  /** The number of the last take or return sent. */
  seq: number;
  /** A take or return whose outcome is unknown: sent again, with its number, before anything else. */
  unresolved?: LeaseOp;
}

/** A take (grant nothing below `floor`; `create` the row) or a return, numbered per lease. */
export type LeaseOp = { kind: 'take'; seq: number; credits: number; floor: number; create: boolean } | { kind: 'return'; seq: number; credits: number };

export const newLease = (orgId: string, unit: number): OrgLease => ({
  orgId,
  id: `lease:${randomUUID()}`,
  exists: false,
  free: 0,
  view: 0,
  unit,
  takenAt: 0,
  usedAt: 0,
  failedAt: 0,
  seq: 0,
});

const TAKE_SQL = 'SELECT available, granted, held FROM gw_credit_lease_take($1, $2, $3, $4, $5, $6, $7, $8)';
const RETURN_SQL = 'SELECT gw_credit_lease_return($1, $2, $3)';

/**
 * Sends a lease's takes and returns (migration LeaseOpSequence), one at a time. An operation that certainly did not
 * commit is undone in memory; one whose answer was lost stays `unresolved` and is sent again with the same number
 * (the function applies it once, or answers what it did), so no credits stay in doubt past the next try.
 */
export class LeaseOps {
  constructor(
    private readonly pool: Pool,
    private readonly opts: { bootId: string; ttlMs: number; onError?: (what: string, err: Error) => void },
    /** Whether a lease still has calls granted from it and not settled (a vanished row then matters). */
    private readonly inUse: (leaseId: string) => boolean,
  ) {}

  run(l: OrgLease, op: LeaseOp): Promise<void> {
    const retry = op === l.unresolved;
    const sent =
      op.kind === 'take'
        ? this.pool
            .query<TakeRow>(TAKE_SQL, [l.orgId, l.id, this.opts.bootId, op.credits, op.floor, this.opts.ttlMs, op.create, op.seq])
            .then(({ rows: [r] }) => this.took(l, r))
        : this.pool.query(RETURN_SQL, [l.id, op.credits, op.seq]).then(() => undefined);
    const busy = sent
      .then(() => {
        if (l.unresolved === op) l.unresolved = undefined;
      })
      .catch((err: Error) => {
        l.failedAt = Date.now();
        const none = certainlyNotApplied(err);
        // A fresh return that did not commit: its credits are this replica's to grant again. A retry that did not
        // commit leaves the first try's outcome as unknown as it was.
        if (none && !retry && op.kind === 'return') l.free += op.credits;
        if (!none) l.unresolved = op;
        const what = op.kind === 'take' ? 'credit lease' : 'credit lease return';
        this.opts.onError?.(none ? what : `${what} (outcome unknown)`, err);
      })
      .finally(() => {
        if (l.busy === busy) l.busy = undefined;
      });
    return (l.busy = busy);
  }

  private took(l: OrgLease, r: TakeRow): void {
    if (r.held === null) {
      // The row is gone (swept as expired or as a dead boot's): what was granted from it is held no more.
      if (l.free > 0 || this.inUse(l.id)) {
        this.opts.onError?.('credit lease', new Error('a credit lease of this replica was released by the database; starting a new one'));
      }
      Object.assign(l, { id: `lease:${randomUUID()}`, exists: false, free: 0, takenAt: 0, unresolved: undefined });
      return;
    }
    if (Number(r.granted) > 0) l.exists = true;
    if (l.exists) l.takenAt = Date.now();
    l.view = Number(r.available) + l.free;
    l.free += Number(r.granted);
  }
}

interface TakeRow {
  available: string | null;
  granted: string;
  held: string | null;
}
