/** Steps of {@link InferenceService}'s start of a request: the gate, the input count, admission (and its trace span). */
import type { CanonicalRequest } from '../canonical/canonical-request';
import type { ResolvedModel } from '../catalog/model-catalog';
import type { InferenceContext } from './inference-context';
import type { Admission, Meter } from './meter.port';
import type { RequestTracker } from './request-tracker';
import { estimateInputTokens } from './token-estimate';

/**
 * Admission and the request's gate (the deferred rate limit) in flight together: one awaited stage. A refused gate
 * gives the admission back (uncharged) and is the request's error; otherwise admission's outcome is.
 */
export async function gated(meter: Meter | undefined, gate: Promise<void>, admitting: Promise<Admission>): Promise<Admission> {
  const [g, a] = await Promise.allSettled([gate, admitting]);
  if (g.status === 'rejected') {
    if (a.status === 'fulfilled') meter?.settle(a.value, { inputTokens: 0, outputTokens: 0 }, false, Date.now());
    throw g.reason;
  }
  if (a.status === 'rejected') throw a.reason;
  return a.value;
}

export async function passGate(ctx: InferenceContext, tracker: RequestTracker): Promise<void> {
  try {
    await ctx.gate;
  } catch (err) {
    tracker.fail(err);
    throw err;
  }
}

export async function countInput(request: CanonicalRequest, resolved: ResolvedModel, ctx: InferenceContext): Promise<number> {
  const { provider } = resolved;
  if (!provider.countTokens) return estimateInputTokens(request);
  return provider.countTokens({ request, upstreamModel: resolved.model.upstream_model, requestId: ctx.requestId, signal: ctx.signal });
}

/** Admission as the trace's `gateway.admission` span (credits, quotas and the deferred rate limit, in flight together). */
export function traced<T>(ctx: InferenceContext, admitted: Promise<T>): Promise<T> {
  const end = ctx.trace?.stage('gateway.admission');
  if (end) admitted.then(() => end(), end);
  return admitted;
}
