import type { CanonicalRequest } from '../canonical/canonical-request';
import type { CanonicalEvent, CanonicalResponse } from '../canonical/canonical-event';
import type { ResolvedModel } from '../catalog/model-catalog';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import type { ProviderRequest } from '../providers/model-provider';
import type { InferenceContext } from './inference-context';
import type { Admission, Meter } from './meter.port';
import type { RequestTracker } from './request-tracker';
import { type CallAbort, type CallSignal, linkedAbort } from './call-abort';
import { StreamRelay } from './stream-relay';

/** A call admitted (or being admitted) and about to go, or gone, upstream. */
export interface Started {
  resolved: ResolvedModel;
  tracker: RequestTracker;
  request: CanonicalRequest;
  admission?: Admission;
  /** Speculative dispatch: the admission in flight and the output cap the call was sent with meanwhile. */
  pending?: { admitted: Promise<Admission>; maxTokens: number | undefined; request: CanonicalRequest };
  /** Set by {@link StreamHandle.stop}. */
  stopper?: CallAbort;
}

/**
 * How an admitted call reaches its provider and comes back (docs/architecture.md, "Hot path"): speculative dispatch
 * while admission is in flight, the confirmation or abort once it answers, the stream relay that settles and reports
 * what was generated, and giving an admission back when the call fails before it was served.
 */
export class Dispatch {
  constructor(private readonly meter?: Meter) {}

  /**
   * Speculative dispatch (docs/architecture.md, "Hot path"): with a forecast, the call goes upstream while its admission
   * is in flight, and nothing it returns is used before {@link confirm}. A refusal aborts it and is the request's error;
   * an admission with another output cap aborts it and sends it again with that cap.
   */
  async send(s: Started, ctx: InferenceContext): Promise<CanonicalResponse> {
    const { provider } = s.resolved;
    if (s.pending) {
      const spec = linkedAbort([ctx.signal]);
      const call = provider.complete({ ...this.providerRequest(s, ctx), signal: spec.signal });
      call.catch(() => undefined); // an aborted or refused call's outcome is not the request's
      if (await this.confirm(s, spec)) {
        this.watch(s);
        return call;
      }
    }
    // A JSON call hears nothing before it completes: it counts as reached once sent (input only, should this process die).
    this.watch(s);
    return provider.complete(this.providerRequest(s, ctx));
  }

  /** Opens the provider's stream (speculatively when admission is pending, as {@link send}) and reads its first event. */
  async open(s: Started, ctx: InferenceContext, stop: CallSignal): Promise<{ first: IteratorResult<CanonicalEvent>; iterator: AsyncIterator<CanonicalEvent> }> {
    const pr = this.providerRequest(s, ctx);
    const call = linkedAbort([ctx.signal, stop]);
    const spec = s.pending ? call : undefined;
    const iterator = s.resolved.provider.stream({ ...pr, signal: call.signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    if (spec) {
      next.catch(() => undefined);
      let confirmed = false;
      try {
        confirmed = await this.confirm(s, spec);
      } finally {
        if (!confirmed) void iterator.return?.(undefined)?.catch(() => undefined);
      }
      if (!confirmed) return this.open(s, ctx, stop);
    }
    return { first: await next, iterator };
  }

  /** Awaits the pending admission: true when it matches what was sent; else aborts the speculative call (and rethrows a refusal). */
  private async confirm(s: Started, spec: CallAbort): Promise<boolean> {
    const pending = s.pending!;
    s.pending = undefined;
    try {
      s.admission = await pending.admitted;
    } catch (err) {
      s.tracker.admissionEnded();
      spec.abort(err);
      s.tracker.upstreamCancelled();
      throw err;
    }
    s.tracker.admissionEnded();
    if (s.admission.maxTokens === pending.maxTokens) return true;
    spec.abort(new Error('admission granted another output cap'));
    s.request = withCap(pending.request, s.admission.maxTokens);
    return false;
  }

  /** The call failed before it was served: gives back its admission, now or once the pending one resolves. */
  abandon(s: Started): void {
    const nothing = { inputTokens: 0, outputTokens: 0 };
    if (s.admission) this.meter?.settle(s.admission, s.tracker.usage(), false, Date.now());
    else if (s.pending) s.pending.admitted.then((a) => this.meter?.settle(a, nothing, false, Date.now()), () => undefined);
    s.pending = undefined;
  }

  watch(s: Started): void {
    if (s.admission) this.meter?.watch?.(s.admission, () => s.tracker.usage());
  }

  providerRequest(s: Started, ctx: InferenceContext): ProviderRequest {
    if (ctx.signal.aborted) throw new GatewayError(GatewayErrorCode.ClientClosed, 'client closed the request');
    s.tracker.upstreamStarted(); // every caller dispatches the request it builds at once
    const traceHeaders = ctx.trace?.upstreamHeaders();
    return { request: s.request, upstreamModel: s.resolved.model.upstream_model, requestId: ctx.requestId, signal: ctx.signal, ...(traceHeaders ? { traceHeaders } : {}) };
  }

  /** The provider's stream as the caller reads it: tracked, settled once at its end, abandoned on an early stop. */
  relay(first: IteratorResult<CanonicalEvent>, iterator: AsyncIterator<CanonicalEvent>, s: Started): AsyncIterableIterator<CanonicalEvent> {
    return new StreamRelay(first, iterator, s, this.meter);
  }
}

/** The request with the output cap admission pays for (unchanged when the meter sets none). */
export function withCap(request: CanonicalRequest, maxTokens: number | undefined): CanonicalRequest {
  return maxTokens !== undefined ? { ...request, maxTokens } : request;
}
