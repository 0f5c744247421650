/**
 * A controller that also aborts, with the same reason, when any of `sources` aborts: what `AbortSignal.any` does,
 * at about half its cost per call on Node 20 (which builds a weak-ref dependency set per composite signal; measured
 * in docs/architecture.md "Speculative dispatch"). The sources here are per-request signals, so the listeners live
 * and die with the request and need no removal.
 */
export function linkedAbort(sources: readonly AbortSignal[]): AbortController {
  const controller = new AbortController();
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      return controller;
    }
  }
  const onAbort = function (this: AbortSignal): void {
    if (!controller.signal.aborted) controller.abort(this.reason);
  };
  for (const source of sources) source.addEventListener('abort', onAbort, { once: true });
  return controller;
}
