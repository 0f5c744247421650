import type { AbortState } from './upstream-errors';

/**
 * One upstream call's abort signal: fires when the caller's signal fires (client gone, shutdown) or when
 * `timeoutMs` has passed, and remembers which. Cheaper and leak-free compared to `AbortSignal.any` + `timeout`.
 * Always `dispose()` it.
 */
export class RequestDeadline implements AbortState {
  timedOut = false;
  clientAborted = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly caller: AbortSignal,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    this.timer.unref();
    if (caller.aborted) this.onCallerAbort();
    else caller.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = (): void => {
    if (this.controller.signal.aborted) return;
    this.clientAborted = true;
    this.controller.abort(new Error('request aborted by the caller'));
  };

  private readonly onTimeout = (): void => {
    if (this.controller.signal.aborted) return;
    this.timedOut = true;
    this.controller.abort(new Error('upstream deadline exceeded'));
  };
}
