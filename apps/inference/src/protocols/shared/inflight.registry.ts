import { Injectable } from '@nestjs/common';

/** A request in flight, as the registry holds it. */
export interface InflightEntry {
  requestId: string;
  surface: string;
  startedAtMs: number;
}

/** A request in flight, as shutdown reports it. */
export interface InflightRequest {
  requestId: string;
  surface: string;
  ageMs: number;
}

/** What shutdown can cut: a request's `CallAbort` (or any controller). */
export interface Abortable {
  abort(reason?: unknown): void;
}

/** Abort controllers of requests in flight, so shutdown can wait for them, then cut the stragglers and say which. */
@Injectable()
export class InflightRegistry {
  private readonly active = new Map<Abortable, InflightEntry>();
  /** Set once shutdown begins: new generations are refused with 503 while in-flight ones finish. */
  draining = false;

  add(ac: Abortable, entry: InflightEntry): () => void {
    this.active.set(ac, entry);
    return () => this.active.delete(ac);
  }

  get size(): number {
    return this.active.size;
  }

  /** The requests in flight now, oldest first (what a slow drain waits for). */
  pending(nowMs = Date.now()): InflightRequest[] {
    return [...this.active.values()]
      .map((e) => ({ requestId: e.requestId, surface: e.surface, ageMs: Math.round(nowMs - e.startedAtMs) }))
      .sort((a, b) => b.ageMs - a.ageMs);
  }

  /** Waits up to `graceMs` for in-flight requests to finish, then aborts the rest: returns those, oldest first. */
  async drain(graceMs: number): Promise<InflightRequest[]> {
    this.draining = true;
    const deadline = Date.now() + graceMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const stragglers = this.pending();
    for (const ac of this.active.keys()) ac.abort(new Error('gateway shutting down'));
    return stragglers;
  }
}
