/**
 * Coalesces the credit reservations of one organisation into batches (group commit): a call whose
 * organisation has no batch in flight is sent at once, alone, so a lone call pays exactly one round
 * trip; calls arriving while a batch is in flight wait for it and leave together, as the next batch,
 * when it returns. So an organisation has at most one batch in flight per process, each batch costs
 * one round trip and one advisory-lock hold, and under load the number of lock holds per second no
 * longer bounds the calls per second (it did with one reservation per lock hold).
 *
 * Written by hand rather than with a batching library: the policy is "send now when idle, else
 * with the next batch", keyed by organisation, with no linger timer (a timer would add its delay to
 * every call at low load), which the usual batchers (dataloader: per tick; p-batch: per size/time)
 * do not offer.
 */
export interface GroupAdmissionOptions<K, T, R> {
  /** Sends one batch (all with the same key); resolves with one result per item, in order. */
  send(key: K, items: T[]): Promise<R[]>;
  /** Items per batch at most; the rest wait for the next one. */
  maxBatch: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

interface Lane<T, R> {
  busy: boolean;
  queue: Waiting<T, R>[];
}

export class GroupAdmission<K, T, R> {
  private readonly lanes = new Map<K, Lane<T, R>>();
  private batches = 0;
  private items = 0;

  constructor(private readonly opts: GroupAdmissionOptions<K, T, R>) {}

  submit(key: K, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let lane = this.lanes.get(key);
      if (!lane) this.lanes.set(key, (lane = { busy: false, queue: [] }));
      lane.queue.push({ item, resolve, reject });
      if (!lane.busy) this.run(key, lane);
    });
  }

  /** Batches sent and calls they carried (their ratio is the mean batch size). */
  get stats(): { batches: number; items: number } {
    return { batches: this.batches, items: this.items };
  }

  private run(key: K, lane: Lane<T, R>): void {
    const batch = lane.queue.splice(0, this.opts.maxBatch);
    if (!batch.length) {
      this.lanes.delete(key);
      return;
    }
    lane.busy = true;
    this.batches++;
    this.items += batch.length;
    const items = batch.map((w) => w.item);
    Promise.resolve()
      .then(() => this.opts.send(key, items))
      .then(
        (results) => {
          if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} reservations returned ${results.length} results`);
          batch.forEach((w, i) => w.resolve(results[i]));
        },
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      )
      .catch((err: unknown) => batch.forEach((w) => w.reject(err)))
      .finally(() => {
        lane.busy = false;
        this.run(key, lane);
      });
  }
}
