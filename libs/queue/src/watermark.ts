/**
 * Counts the records a producer accepted and those that have left it (enqueued, or reported lost when it closed).
 * Its buffer is FIFO and a failed batch goes back to the front, so what has left is always a prefix of what was
 * accepted: "everything accepted before mark m has left" is `left >= m`. A successor producer waits for such a mark,
 * not for an empty buffer: under steady load a buffer is never empty at the moment one looks, so waiting for that
 * held every billing batch for the whole 5 s allowance (fourteenth session, docs/architecture.md).
 */
export class Watermark {
  private accepted = 0;
  private left = 0;
  private waiters: Array<{ mark: number; done: () => void }> = [];

  accept(): void {
    this.accepted++;
  }

  /** The mark covering every record accepted so far. */
  get mark(): number {
    return this.accepted;
  }

  reached(mark: number): boolean {
    return this.left >= mark;
  }

  /** `n` more records, the oldest still counted as in, have left. */
  advance(n: number): void {
    this.left += n;
    if (this.waiters.length === 0) return;
    const waiting: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.left >= w.mark) w.done();
      else waiting.push(w);
    }
    this.waiters = waiting;
  }

  /** Resolves `true` once `mark` is reached, or `false` after `ms`. */
  wait(mark: number, ms: number): Promise<boolean> {
    if (this.reached(mark)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter = {
        mark,
        done: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, ms);
      this.waiters.push(waiter);
    });
  }
}
