/**
 * The abort signal of one call inside the gateway: what the hot path needs of an `AbortSignal` (`aborted`, `reason`
 * and `abort` listeners), and what undici's `request({ signal })` accepts (it duck-types an EventTarget).
 *
 * Written by hand because Node 20's own is costly per call: reading `AbortController.signal` builds the signal
 * (`createAbortSignal` re-prototypes a fresh EventTarget, ~3.5 µs here) and each listener goes through EventTarget's
 * option validation and map (~1 µs). A call made four of them (the client's disconnect, the speculative dispatch, the
 * upstream deadline, a stream's policy stop): ~3 % of a call's CPU in `--cpu-prof` (docs/architecture.md, "Hot path").
 * Code that needs a real `AbortSignal` (`AbortSignal.any`, `fetch`, node-llama-cpp) links its own controller with a
 * listener, as the local model's provider does.
 */
export interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

type Listener = () => void;

/** A controller and its signal in one object. Listeners run once, in the order added, when {@link abort} is first called. */
export class CallAbort implements CallSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Listener[] | null = null;

  get signal(): CallSignal {
    return this;
  }

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = null;
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener();
      } catch (err) {
        // As an EventTarget does: a throwing listener does not stop the others, and its error is not swallowed.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }

  /** Like an EventTarget: the same listener twice is one listener; after the abort, adding does nothing. */
  addEventListener(type: 'abort', listener: Listener, _options?: { once?: boolean }): void {
    if (type !== 'abort' || this.aborted) return;
    const listeners = (this.listeners ??= []);
    if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(type: 'abort', listener: Listener): void {
    const listeners = this.listeners;
    if (type !== 'abort' || !listeners) return;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }
}

/**
 * Aborts, with the same reason, when any of `sources` aborts (or at once when one already has). The sources are
 * per-request signals, so the listeners live and die with the request and are never removed.
 */
export function linkedAbort(sources: readonly CallSignal[]): CallAbort {
  const link = new CallAbort();
  for (const source of sources) {
    if (source.aborted) {
      link.abort(source.reason);
      return link;
    }
  }
  for (const source of sources) source.addEventListener('abort', () => link.abort(source.reason), { once: true });
  return link;
}
