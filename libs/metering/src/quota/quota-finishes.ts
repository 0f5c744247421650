/** A script argument. */
export type Arg = string | number;

/** One hold's settle (`s`) or release (`r`) waiting for its batch. */
export interface PendingFinish {
  keys: string[];
  holdId: string;
  mode: 's' | 'r';
  tokens: number;
  requests: number;
  done: () => void;
}

/** Holds per finish script: the batch of a very busy turn is split so one script never runs long. */
const MAX_FINISH_BATCH = 256;

/**
 * How long settles and releases wait for a reserve of their hash tag to carry them before they leave on their own.
 * Short against the hold TTL and any window: it only delays when a hold's tokens turn from held into settled.
 */
export const QUOTA_FINISH_LINGER_MS = 10;

/**
 * The settles and releases of {@link RedisQuotaStore}, grouped per hash tag (a Cluster slot; one organisation) until
 * a reserve of that tag carries them ({@link take}) or {@link QUOTA_FINISH_LINGER_MS} passes ({@link flush}); a group
 * that reaches 256 holds leaves at once, in order. `send` delivers a batch and never rejects (failures are its to
 * count and log), so each finish's promise resolves when its script answered or failed.
 */
export class PendingFinishes {
  private readonly groups = new Map<string, PendingFinish[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (batch: PendingFinish[]) => Promise<void>) {}

  /** Queues one finish under `group`; resolves once its batch was sent (by a reserve, the linger or a flush). */
  add(group: string, finish: Omit<PendingFinish, 'done'>): Promise<void> {
    return new Promise<void>((done) => {
      const item: PendingFinish = { ...finish, done };
      const batch = this.groups.get(group);
      if (!batch) this.groups.set(group, [item]);
      else if (batch.push(item) >= MAX_FINISH_BATCH) {
        this.groups.delete(group); // full: it leaves now, in order, and the turn's next ones start another
        void this.send(batch);
      }
      if (this.timer === undefined) {
        this.timer = setTimeout(() => void this.flush(), QUOTA_FINISH_LINGER_MS);
        this.timer.unref();
      }
    });
  }

  /** The finishes of `group` waiting now, taken to ride on a reserve (which must call `finished` or fail them). */
  take(group: string): PendingFinish[] | undefined {
    const batch = this.groups.get(group);
    if (batch) this.groups.delete(group);
    return batch;
  }

  /** Sends every waiting group now (the linger timer is cancelled) and resolves when all were sent. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const groups = [...this.groups.values()];
    this.groups.clear();
    await Promise.all(groups.map((batch) => this.send(batch)));
  }
}

/** A finish batch's script arguments (as `finish` in redis-quota.script.ts reads them), appended to `keys` and `args`. */
export function appendFinishes(batch: readonly PendingFinish[], keys: string[], args: Arg[]): void {
  args.push(batch.length);
  for (const f of batch) {
    for (const k of f.keys) keys.push(k);
    args.push(f.keys.length / 2, f.holdId, f.mode, f.tokens, f.requests);
  }
}

/** Resolves every finish of the batch (its script answered or failed). */
export function finished(batch: readonly PendingFinish[]): void {
  for (const f of batch) f.done();
}
