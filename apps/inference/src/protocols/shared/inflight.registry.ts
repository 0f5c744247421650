import { Injectable } from '@nestjs/common';

/** What shutdown reports of a request that outlived the grace period. */
export interface InflightEntry {
  requestId: string;
  surface: string;
  startedAtMs: number;
}

/** Abort controllers of requests in flight, so shutdown can wait for them and then cut the stragglers. */
@Injectable()
export class InflightRegistry {
  private readonly active = new Map<AbortController, InflightEntry | undefined>();
  /** Set once shutdown begins: new generations are refused with 503 while in-flight ones finish. */
  draining = false;

  add(ac: AbortController, entry?: InflightEntry): () => void {
    this.active.set(ac, entry);
    return () => this.active.delete(ac);
  }

  get size(): number {
    return this.active.size;
  }

  /** The requests still in flight, oldest first (for the shutdown log). */
  pending(nowMs = Date.now()): { requestId: string; surface: string; ageMs: number }[] {
    return [...this.active.values()]
      .filter((e): e is InflightEntry => e !== undefined)
      .map((e) => ({ requestId: e.requestId, surface: e.surface, ageMs: Math.round(nowMs - e.startedAtMs) }))
      .sort((a, b) => b.ageMs - a.ageMs);
  }

  /**
   * Waits up to `graceMs` for in-flight requests to finish, then aborts the rest. Says who was still in flight when
   * the grace ran out and how long the wait took, so shutdown can log what held it.
   */
  async drain(graceMs: number): Promise<DrainOutcome> {
    this.draining = true;
    const started = Date.now();
    const deadline = started + graceMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const outcome = { waitedMs: Date.now() - started, cut: this.active.size, stragglers: this.pending() };
    for (const ac of this.active.keys()) ac.abort(new Error('gateway shutting down'));
    return outcome;
  }
}

export interface DrainOutcome {
  waitedMs: number;
  /** Requests aborted when the grace ran out. */
  cut: number;
  stragglers: ReturnType<InflightRegistry['pending']>;
}
