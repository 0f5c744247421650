import { CallAbort, type CallSignal } from '../../service/call-abort';
import type { AbortState } from './upstream-errors';

/**
 * One upstream call's abort signal: fires when the caller's signal fires (client gone, shutdown) or when
 * `timeoutMs` has passed, and remembers which. Cheaper and leak-free compared to `AbortSignal.any` + `timeout`
 * (a {@link CallAbort}, which undici accepts as its `signal`).
 * Always `dispose()` it.
 */
export class RequestDeadline implements AbortState {
  timedOut = false;
  clientAborted = false;
  private readonly controller = new CallAbort();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly caller: CallSignal,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    this.timer.unref();
    if (caller.aborted) this.onCallerAbort();
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): CallSignal {
    return this.controller;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = (): void => {
    if (this.controller.aborted) return;
    this.clientAborted = true;
    this.controller.abort(new Error('request aborted by the caller'));
  };

  private readonly onTimeout = (): void => {
    if (this.controller.aborted) return;
    this.timedOut = true;
    this.controller.abort(new Error('upstream deadline exceeded'));
  };
}
