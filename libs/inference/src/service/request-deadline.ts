import { CallAbort, type CallSignal } from './call-abort';

/**
 * One outgoing call's abort signal: fires when the caller's signal fires (client gone, shutdown) or when `timeoutMs`
 * has passed, and remembers which (`timedOut`, `clientAborted`: the providers' `AbortState`, which the error wording
 * reads). Cheaper and leak-free compared to `AbortSignal.any` + `timeout` (a {@link CallAbort}, which undici accepts as
 * its `signal`). Used for upstream model calls and, in libs/policy, for HTTP classifier calls. Always `dispose()` it.
 */
export class RequestDeadline {
  timedOut = false;
  clientAborted = false;
  private readonly controller = new CallAbort();
  private readonly timer: NodeJS.Timeout;

  /** `what` names the call in the abort reason of a timeout (`<what> deadline exceeded`). */
  constructor(
    private readonly caller: CallSignal | undefined,
    timeoutMs: number,
    private readonly what = 'upstream',
  ) {
    this.timer = setTimeout(this.onTimeout, timeoutMs);
    this.timer.unref();
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): CallSignal {
    return this.controller;
  }

  /** Aborts the call for a reason of our own (neither the caller nor the timeout): no flag is set. */
  cancel(reason: Error): void {
    this.controller.abort(reason);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = (): void => {
    if (this.controller.aborted) return;
    this.clientAborted = true;
    this.controller.abort(new Error('request aborted by the caller'));
  };

  private readonly onTimeout = (): void => {
    if (this.controller.aborted) return;
    this.timedOut = true;
    this.controller.abort(new Error(`${this.what} deadline exceeded`));
  };
}
