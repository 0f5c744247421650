import { Redis } from 'ioredis';

export interface AdmissionRedisOptions {
  /** TCP connect timeout per attempt (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts (default 1000 ms; attempts never stop). */
  maxReconnectDelayMs?: number;
  /** `CLIENT SETNAME` of the connection (default `gw-admission`). */
  connectionName?: string;
}

/**
 * One Redis connection for the admission-time scripts of a process: the rate limiter's and the quotas' (issue 12).
 * With a connection each, a call's rate-limit hit and quota reserve left in two writes and came back in two reads
 * and two wake-ups, though they are issued in the same event-loop turn; on one connection, corked for the turn (see
 * {@link coalesce}), they leave in one write and their replies usually arrive in one read.
 *
 * The two stores fail differently (the limiter opens after 100 ms, quotas close after 1 s), and ioredis's
 * `commandTimeout` is per connection, so this connection has none: each store bounds its own commands with
 * {@link withDeadline}. What the stores shared already is the same: no offline queue, no retries, reconnects with a
 * capped backoff. Each store takes it with {@link acquire} and gives it back with {@link release}; the last release
 * closes it. A store given a URL opens one of its own, used alone: one code path either way.
 */
export class AdmissionRedis {
  readonly client: Redis;
  private users = 0;
  private closed = false;
  private corked: Redis['stream'] | undefined;

  constructor(url: string, options: AdmissionRedisOptions = {}) {
    const maxDelay = options.maxReconnectDelayMs ?? 1_000;
    this.client = new Redis(url, {
      enableOfflineQueue: false, // never queued while disconnected nor retried: the stores answer at once
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 1_000,
      retryStrategy: (attempt) => Math.min(50 * attempt, maxDelay),
      connectionName: options.connectionName ?? 'gw-admission',
    });
    this.client.on('error', () => undefined); // repeats on every reconnect attempt; failed commands report it
    const send = this.client.sendCommand.bind(this.client);
    this.client.sendCommand = (command, stream) => {
      this.coalesce();
      return send(command, stream);
    };
  }

  acquire(): Redis {
    if (this.closed) throw new Error('the admission Redis connection is closed');
    this.users++;
    return this.client;
  }

  /**
   * Holds the socket's writes back until the end of this event-loop turn (`setImmediate`, after the turn's I/O
   * callbacks), so every command issued meanwhile, by any call, leaves in one `writev`: what ioredis's auto-pipelining
   * did, without its `Pipeline` objects. Each of those defines its own `length` accessor, so each gets a hidden class
   * of its own; hidden classes live in V8's old generation, and a dead one still points through its getter at its
   * pipeline, so every scavenge until the next full GC kept the pipeline, its commands and their arguments alive
   * (fourteenth session: three quarters of what each scavenge copied was promoted; see docs/architecture.md).
   */
  private coalesce(): void {
    if (this.corked || this.client.status !== 'ready') return; // the handshake's commands are not held back
    this.corked = this.client.stream;
    this.corked.cork();
    setImmediate(this.uncork);
  }

  private readonly uncork = (): void => {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  };

  /** Closes the connection when its last user gives it back. */
  release(): void {
    if (this.closed || --this.users > 0) return;
    this.closed = true;
    this.client.disconnect(false);
  }
}

/** Rejects with ioredis's own "Command timed out" when `work` has not settled within `ms`; the reply is then ignored. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Command timed out')), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: Error) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
