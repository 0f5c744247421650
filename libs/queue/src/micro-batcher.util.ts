interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Per item, in order: `undefined` when it was written, otherwise the error its `add()` rejects with. */
export type ItemResults = ReadonlyArray<Error | undefined>;

export interface MicroBatcherOptions {
  /** Write as soon as this many items wait. */
  maxBatch: number;
  /** Otherwise write this long after the first waiting item arrived. */
  lingerMs: number;
  /** Writes allowed at the same time (each is one transaction). */
  maxConcurrentWrites: number;
}

/**
 * Groups items handed over one by one (one per BullMQ job) into batch writes. `add()` resolves
 * only once the batch holding the item has been written, so the job completes after the commit
 * and a crash before it redelivers the job. A write may settle items one by one by resolving with
 * {@link ItemResults} (a poisoned row fails alone); a rejected write fails the whole batch.
 */
export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();
  private written = 0;
  private batches = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<ItemResults | void>,
    private readonly opts: MicroBatcherOptions,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.lingerMs);
    });
  }

  get stats(): { waiting: number; writesInFlight: number; written: number; batches: number } {
    return { waiting: this.pending.length, writesInFlight: this.writing.size, written: this.written, batches: this.batches };
  }

  /** Writes everything that waits and resolves when no write is in flight. */
  async drain(): Promise<void> {
    while (this.pending.length || this.writing.size) {
      this.flush();
      await Promise.allSettled([...this.writing]);
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length && this.writing.size < this.opts.maxConcurrentWrites) {
      const batch = this.pending.splice(0, this.opts.maxBatch);
      const done = this.write(batch.map((p) => p.item)).then(
        (results) => {
          this.batches++;
          batch.forEach((p, i) => {
            const err = results?.[i];
            if (err) return p.reject(err);
            this.written++;
            p.resolve();
          });
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      );
      const tracked = done.finally(() => {
        this.writing.delete(tracked);
        // Items that arrived while every write slot was busy go out at once.
        if (this.pending.length) this.flush();
      });
      this.writing.add(tracked);
    }
    if (this.pending.length) this.timer ??= setTimeout(() => this.flush(), this.opts.lingerMs);
  }
}
