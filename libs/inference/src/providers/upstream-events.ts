import { StringDecoder } from 'node:string_decoder';
import type { CanonicalEvent } from '../canonical/canonical-event';
import type { GatewayError } from '../errors/gateway-error';
import { RequestDeadline } from '../service/request-deadline';
import { deliver, DONE, Failure, finalEvents, HIGH_WATER, settleBody, upstreamError, type UpstreamResponse, type Waiter } from './upstream-body';
import type { UpstreamStreamDecoder, UpstreamStreamOptions } from './upstream-stream';

/**
 * Written by hand rather than as an async generator over the body's async iterator: per delta that pair cost
 * two promise chains, Readable's paused-mode bookkeeping (read / emitReadable / maybeReadMore, two nextTicks) and
 * ~1.8 KB of garbage (issue 12, allocation profile of 500 streams). Here the body flows: each chunk is decoded as
 * it arrives and its events wait in a queue that the consumer's `next()` takes from (one settled promise per
 * event), the body paused while more than {@link HIGH_WATER} events wait.
 */
export class UpstreamEvents implements AsyncIterableIterator<CanonicalEvent> {
  private readonly deadline: RequestDeadline;
  private res?: UpstreamResponse;
  private decoder?: UpstreamStreamDecoder;
  private utf8?: StringDecoder;
  private queue: CanonicalEvent[] = [];
  private head = 0;
  /** An event was queued for the consumer: later failures are `error` events, earlier ones are thrown. */
  private emitted = false;
  /** The terminator arrived or the body ended: the socket may go back to the pool. */
  private reusable = false;
  /** Nothing more will be queued. */
  private ended = false;
  /** A failure before any event: `next()` rejects with it once. */
  private failure?: GatewayError;
  private waiter?: Waiter;
  private started = false;
  /** The request or the JSON replay is in flight: the deadline must stay armed until it settles. */
  private opening = false;
  private released = false;
  private paused = false;
  /** Bytes the body has delivered (undici's drain limit counts them: see {@link release}). */
  private bytesRead = 0;

  constructor(private readonly opts: UpstreamStreamOptions) {
    this.deadline = new RequestDeadline(opts.signal, opts.timeoutMs);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<CanonicalEvent>> {
    if (!this.started) {
      this.started = true;
      void this.start();
    }
    const now = this.poll();
    if (now === undefined) return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
    return now instanceof Failure ? Promise.reject(now.error) : Promise.resolve(now);
  }

  /** The consumer stopped early: nothing more is read; the socket is drained after a terminator, else destroyed. */
  return(): Promise<IteratorResult<CanonicalEvent>> {
    this.ended = true;
    this.queue = [];
    this.head = 0;
    this.failure = undefined;
    this.release();
    this.wake();
    return Promise.resolve(DONE);
  }

  /** What `next()` answers now, or undefined to wait. */
  private poll(): IteratorResult<CanonicalEvent> | Failure | undefined {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++];
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
        if (this.paused && !this.ended) {
          this.paused = false;
          this.res?.body.resume();
        }
      }
      return { done: false, value };
    }
    if (this.failure) {
      const failure = new Failure(this.failure);
      this.failure = undefined;
      return failure;
    }
    if (this.ended) {
      this.release();
      return DONE;
    }
    return undefined;
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const now = this.poll();
    if (now === undefined) return;
    this.waiter = undefined;
    deliver(waiter, now);
  }

  private async start(): Promise<void> {
    this.opening = true;
    try {
      const res = await this.opts.open(this.deadline);
      this.res = res;
      if (this.released) return;
      if (String(res.headers['content-type'] ?? '').includes('application/json')) {
        const events = await this.opts.replayJson(res, this.deadline);
        this.reusable = true;
        this.accept(events);
        return this.finish();
      }
      this.decoder = this.opts.decoder();
      // undici's setEncoding() does not decode; StringDecoder joins split UTF-8 (TextDecoder's output, a third of its cost).
      this.utf8 = new StringDecoder('utf8');
      res.body.on('error', this.onError).on('close', this.onClose).on('end', this.onEnd).on('data', this.onData);
    } catch (err) {
      this.fail(err);
    } finally {
      this.opening = false;
      if (this.released) this.release(true); // return() came while the call was in flight
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.ended) return;
    this.bytesRead += chunk.length;
    try {
      const decoder = this.decoder!;
      const events = decoder.feed(this.utf8!.write(chunk));
      if (decoder.done) this.reusable = true;
      this.accept(events);
      if (decoder.failed) this.finish();
      else if (this.queue.length - this.head > HIGH_WATER && !this.paused) {
        this.paused = true;
        this.res!.body.pause();
      }
    } catch (err) {
      this.fail(err);
    }
  };

  private readonly onEnd = (): void => {
    if (this.ended) return;
    this.reusable = true;
    try {
      this.accept(finalEvents(this.utf8!, this.decoder!));
      this.finish();
    } catch (err) {
      this.fail(err);
    }
  };

  private readonly onError = (err: unknown): void => this.fail(err);

  /** Closed without 'end' or 'error' (destroyed quietly): what Readable's own iterator reports. */
  private readonly onClose = (): void => this.fail(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));

  /** Queues events; an `error` before anything was queued is a failure to throw instead. */
  private accept(events: CanonicalEvent[]): void {
    for (const ev of events) {
      if (this.ended) return;
      if (ev.type === 'error' && !this.emitted) return this.fail(ev.error);
      this.emitted = true;
      this.queue.push(ev);
    }
    this.wake();
  }

  private fail(err: unknown): void {
    if (this.ended) return;
    const error = upstreamError(err, this.opts, this.deadline, this.res);
    if (this.emitted) this.queue.push({ type: 'error', error });
    else this.failure = error;
    this.finish();
  }

  private finish(): void {
    this.ended = true;
    this.release();
    this.wake();
  }

  /**
   * Once the stream is over: the deadline's timer goes, and a body not read to its end is drained (a terminator
   * arrived: the keep-alive socket goes back to the pool) or destroyed. While the call is in flight only marked:
   * {@link start} finishes it when the call settles, so the deadline still bounds it.
   */
  private release(settled = false): void {
    if (this.released && !settled) return;
    this.released = true;
    if (this.opening) return;
    this.deadline.dispose();
    const body = this.res?.body;
    if (!body) return;
    body.off('data', this.onData).off('end', this.onEnd).off('error', this.onError).off('close', this.onClose);
    settleBody(body, this.bytesRead, this.reusable, this.deadline);
  }
}
