/**
 * A replica's recent view of how much of a budget is left (an organisation's credits, a principal's rate-limit
 * window), used only to decide whether a call may be sent upstream *while* its admission is still in flight
 * (see InferenceService, "speculative dispatch"). It is a hint, never an authority: the real reservation still decides,
 * and a wrong hint costs one aborted upstream call, not a wrong charge.
 *
 * Each answer from the real store resets the entry (`settle`), less what calls still awaiting their own answers asked
 * for (`begin`); each speculative call takes from it (`take`), so a burst after one answer cannot speculate past what
 * that answer left. An entry older than `freshMs` lets **one** call go ahead (the first after a pause, until an answer
 * renews the entry), and none once older than `probeMs`: so a client that calls every few seconds or minutes, as an
 * interactive one does, gets the same first byte as a busy one, while a burst after a pause speculates with one call
 * only. What that costs: when the budget ran out elsewhere during the pause, that one call reaches the upstream and is
 * aborted a round trip later (never billed, never shown). The map is bounded (cleared when full: it is rebuilt by the
 * next answers).
 */
export class Headroom {
  private readonly entries = new Map<string, { left: number; atMs: number; probing: boolean }>();
  private readonly asked = new Map<string, number>();

  constructor(
    private readonly freshMs = 2_000,
    private readonly maxEntries = 10_000,
    private readonly probeMs = 5 * 60_000,
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
    const free = left - Math.max(0, rest);
    const e = this.entries.get(key);
    if (e) {
      // In place: a leased organisation renews its entry on every call (see renew).
      e.left = free;
      e.atMs = nowMs;
      e.probing = false;
      return;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { left: free, atMs: nowMs, probing: false });
  }

  /**
   * A grant made without asking the store (from a credit lease) saw `left` remain: an answer for no call of its own,
   * so the first call after a pause may speculate again (without it, one probe after the last per-call answer was all
   * a leased organisation ever got).
   */
  renew(key: string, left: number, nowMs = Date.now()): void {
    this.settle(key, 0, left, nowMs);
  }

  /**
   * True (and `amount` taken) when the last answer left at least `amount` and is fresh, or is older but younger than
   * `probeMs` and no call went ahead on it yet; false when unknown, short, too old, or already probed.
   */
  take(key: string, amount: number, nowMs = Date.now()): boolean {
    const e = this.entries.get(key);
    if (!e || !(e.left >= amount)) return false;
    const age = nowMs - e.atMs;
    if (age > this.freshMs) {
      if (age > this.probeMs || e.probing) return false;
      e.probing = true;
    }
    e.left -= amount;
    return true;
  }
}
