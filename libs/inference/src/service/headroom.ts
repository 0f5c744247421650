/**
 * A replica's recent view of how much of a budget is left (an organisation's credits, a principal's rate-limit
 * window), used only to decide whether a call may be sent upstream *while* its admission is still in flight
 * (see InferenceService, "speculative dispatch"). It is a hint, never an authority: the real reservation still decides,
 * and a wrong hint costs one aborted upstream call, not a wrong charge.
 *
 * Each answer from the real store resets the entry (`settle`), less what calls still awaiting their own answers asked
 * for (`begin`); each speculative call takes from it (`take`), so a burst after one answer cannot speculate past what
 * that answer left. Entries older than `freshMs` are not trusted; the map is bounded (cleared when full: it is rebuilt
 * by the next answers).
 */
export class Headroom {
  private readonly entries = new Map<string, { left: number; atMs: number }>();
  private readonly asked = new Map<string, number>();

  constructor(
    private readonly freshMs = 2_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** A call asked the store for `amount` (answered by {@link settle}). */
  begin(key: string, amount: number): void {
    this.asked.set(key, (this.asked.get(key) ?? 0) + amount);
  }

  /** The store answered the call that asked for `amount`: `left` remains after it (0 when it refused or failed). */
  settle(key: string, amount: number, left: number, nowMs = Date.now()): void {
    const rest = (this.asked.get(key) ?? 0) - amount;
    if (rest > 0) this.asked.set(key, rest);
    else this.asked.delete(key);
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { left: left - Math.max(0, rest), atMs: nowMs });
  }

  /** True (and `amount` taken) when a fresh answer left at least `amount`; false when unknown, stale or short. */
  take(key: string, amount: number, nowMs = Date.now()): boolean {
    const e = this.entries.get(key);
    if (!e || nowMs - e.atMs > this.freshMs || !(e.left >= amount)) return false;
    e.left -= amount;
    return true;
  }
}
