import { Injectable } from '@nestjs/common';

/** Abort controllers of requests in flight, so shutdown can wait for them and then cut the stragglers. */
@Injectable()
export class InflightRegistry {
  private readonly active = new Set<AbortController>();
  /** Set once shutdown begins: new generations are refused with 503 while in-flight ones finish. */
  draining = false;

  add(ac: AbortController): () => void {
    this.active.add(ac);
    return () => this.active.delete(ac);
  }

  get size(): number {
    return this.active.size;
  }

  /** Waits up to `graceMs` for in-flight requests to finish, then aborts the rest. */
  async drain(graceMs: number): Promise<number> {
    this.draining = true;
    const deadline = Date.now() + graceMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const cut = this.active.size;
    for (const ac of this.active) ac.abort(new Error('gateway shutting down'));
    return cut;
  }
}
