import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';
import type { CallSignal } from '../../service/call-abort';

interface Waiter<T> {
  resolve: (item: T) => void;
  reject: (err: GatewayError) => void;
  cleanup: () => void;
}

export interface PoolStats {
  /** Items handed out right now (generations running). */
  running: number;
  /** Requests waiting for an item. */
  waiting: number;
  capacity: number;
  maxQueue: number;
}

/**
 * A fixed set of items (context sequences) behind a bounded FIFO queue. `acquire` registers the
 * request synchronously: it gets a free item, joins the queue, or fails at once when the queue is full.
 * A waiter whose signal aborts leaves the queue immediately.
 */
export class SequencePool<T> {
  private readonly free: T[];
  private readonly waiters: Array<Waiter<T>> = [];
  private readonly capacity: number;
  private closedError?: GatewayError;

  constructor(
    items: readonly T[],
    private readonly maxQueue: number,
  ) {
    this.free = [...items];
    this.capacity = items.length;
  }

  stats(): PoolStats {
    return {
      running: this.capacity - this.free.length,
      waiting: this.waiters.length,
      capacity: this.capacity,
      maxQueue: this.maxQueue,
    };
  }

  acquire(signal?: CallSignal): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (signal?.aborted) return Promise.reject(clientClosed());
    const item = this.free.pop();
    if (item !== undefined) return Promise.resolve(item);
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(
        new GatewayError(
          GatewayErrorCode.UpstreamOverloaded,
          `local model queue is full (${this.capacity} running, ${this.waiters.length} waiting); retry later`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(clientClosed());
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Returns an item: the oldest waiter gets it, or it goes back to the free list. */
  release(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.cleanup();
      waiter.resolve(item);
      return;
    }
    this.free.push(item);
  }

  /** Rejects every waiter and all future acquisitions with `err`. */
  close(err: GatewayError): void {
    this.closedError = err;
    for (const waiter of this.waiters.splice(0)) {
      waiter.cleanup();
      waiter.reject(err);
    }
  }
}

function clientClosed(): GatewayError {
  return new GatewayError(GatewayErrorCode.ClientClosed, 'client closed the request while it was queued for the local model');
}
