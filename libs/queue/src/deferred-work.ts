/**
 * Work held back until after the current turn's I/O (one `setImmediate` for all of it), or run at once by {@link run}
 * when its results are needed sooner. Written by hand: it is a queue of closures and one flag.
 */
export class DeferredWork {
  private work: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly onError: (err: Error) => void) {}

  add(work: () => void): void {
    this.work.push(work);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.run);
  }

  /** Pieces of work waiting. */
  get size(): number {
    return this.work.length;
  }

  /** Runs what waits, in order, now; a piece that throws is reported and the rest still run. */
  readonly run = (): void => {
    this.scheduled = false;
    if (!this.work.length) return;
    const work = this.work;
    this.work = [];
    for (const w of work) {
      try {
        w();
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
}
