import type { CanonicalEvent } from '../canonical/canonical-event';
import type { Started } from './dispatch';
import type { Meter } from './meter.port';

const DONE: IteratorResult<CanonicalEvent> = Object.freeze({ done: true, value: undefined });

/**
 * A provider's stream as the caller sees it: every event is shown to the tracker, the call is settled once when it
 * ends (then a `metering` event with the charge), a policy stop ends it as `content_filter`, and a consumer that
 * stops early (client gone) abandons it: charged for what was generated, the provider stopped.
 *
 * Written by hand rather than as an async generator: a generator's `yield` awaits, so each delta cost another
 * promise chain and microtask turn on the path of every stream (issue 12). Here `next()` is the provider's
 * `next()` plus one `then`.
 */
export class StreamRelay implements AsyncIterableIterator<CanonicalEvent> {
  private first?: IteratorResult<CanonicalEvent>;
  /** Events owed before anything else (the error after its `metering`). */
  private owed?: CanonicalEvent;
  /** Thrown once, after the `metering` that precedes it. */
  private thrown?: { error: unknown };
  private finished = false;

  constructor(
    first: IteratorResult<CanonicalEvent>,
    private readonly iterator: AsyncIterator<CanonicalEvent>,
    private readonly s: Started,
    private readonly meter?: Meter,
  ) {
    this.first = first;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<CanonicalEvent>> {
    if (this.owed) {
      const value = this.owed;
      this.owed = undefined;
      return Promise.resolve({ done: false, value });
    }
    if (this.thrown) {
      const { error } = this.thrown;
      this.thrown = undefined;
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the provider's own rejection, rethrown unchanged
      return Promise.reject(error);
    }
    if (this.finished) return Promise.resolve(DONE);
    const first = this.first;
    if (first) {
      this.first = undefined;
      return Promise.resolve(this.step(first));
    }
    return this.iterator.next().then(
      (step) => this.step(step),
      (err: unknown) => this.broken(err),
    );
  }

  /** The consumer stopped early (client disconnected): stop the provider, charge what was generated. */
  async return(): Promise<IteratorResult<CanonicalEvent>> {
    this.owed = undefined;
    this.thrown = undefined;
    if (this.finished) return DONE;
    this.finished = true;
    this.settle();
    this.s.tracker.abandon();
    await this.iterator.return?.().catch(() => undefined);
    return DONE;
  }

  private step(step: IteratorResult<CanonicalEvent>): IteratorResult<CanonicalEvent> {
    if (this.finished) return DONE; // return() came while the provider's next() was in flight
    const { tracker } = this.s;
    if (step.done) return this.end();
    const ev = step.value;
    tracker.see(ev);
    if (ev.type !== 'error') return step;
    if (this.stopped()) return this.end(); // the provider noticed the policy stop: a normal end
    this.finished = true;
    const charge = this.settle(); // what was generated before the failure is charged, and the client is told
    tracker.fail(ev.error);
    if (!charge) return step;
    this.owed = ev;
    return { done: false, value: { type: 'metering', charge, usage: tracker.usage() } };
  }

  private end(): IteratorResult<CanonicalEvent> {
    this.finished = true;
    const charge = this.settle();
    this.s.tracker.succeed(undefined, this.stopped() ? 'content_filter' : undefined);
    return charge ? { done: false, value: { type: 'metering', charge, usage: this.s.tracker.usage() } } : DONE;
  }

  /** The provider's `next()` threw. */
  private broken(err: unknown): IteratorResult<CanonicalEvent> {
    if (this.finished) return DONE;
    if (this.stopped()) return this.end();
    this.finished = true;
    const charge = this.settle();
    this.s.tracker.fail(err);
    if (!charge) throw err;
    this.thrown = { error: err }; // the error frame the consumer writes next carries the charge
    return { done: false, value: { type: 'metering', charge, usage: this.s.tracker.usage() } };
  }

  private settle() {
    const { admission, tracker } = this.s;
    return admission ? this.meter?.settle(admission, tracker.usage(), true, Date.now()) : undefined;
  }

  private stopped(): boolean {
    return this.s.stopper?.signal.aborted === true;
  }
}
