/**
 * How big a replica's credit lease is (CreditLeases). Sized in calls of the organisation's last call here, and capped
 * by a share of what the organisation has available, so replicas together can never strand much of a balance: each
 * lease takes at most `share` of what it saw, and none is taken once a lease would be under `minCalls` calls
 * (near the bottom of a balance every call reserves exactly, one by one). Settings: CREDIT_LEASE_CALLS, CREDIT_LEASE_MIN_CALLS,
 * CREDIT_LEASE_SHARE.
 */
export interface LeaseSizing {
  /** Calls' worth a lease is topped up to. */
  chunkCalls: number;
  /** No lease (and no top-up) for less than this many calls' worth. */
  minCalls: number;
  /** Largest share of the organisation's available credits one lease takes. */
  share: number;
}

/** The credits a lease should hold: `unit` credits per call, `available` credits seen for the organisation. */
export function leaseWant(s: LeaseSizing, unit: number, available: number): number {
  return Math.max(0, Math.floor(Math.min(unit * s.chunkCalls, available * s.share)));
}
