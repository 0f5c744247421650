import type { CanonicalRequest } from '../canonical/canonical-request';
import type { CanonicalEvent, CanonicalResponse } from '../canonical/canonical-event';
import type { ModelCatalog, ResolvedModel } from '../catalog/model-catalog';
import type { ContentDigest, InferenceContext, InferenceObserver } from './inference-context';
import type { Admission, AdmitInput, Charge, Meter } from './meter.port';
import { RequestTracker } from './request-tracker';
import { withinOutputLimit } from './output-limit';
import { estimateInputTokens } from './token-estimate';
import { Dispatch, withCap, type Started } from './dispatch';
import { CallAbort } from './call-abort';

export interface CompletionResult extends CanonicalResponse {
  /** Catalogue id of the model that served (the caller may have used an alias). */
  modelId: string;
  /** Credits charged (absent when no meter is configured). */
  charge?: Charge;
  /** The lowered output cap when the balance could not pay for the requested one. */
  cappedMaxTokens?: number;
}

export interface StreamHandle {
  /** Ends with a `metering` event when a meter is configured (a failed stream: just before its `error` event). */
  events: AsyncIterable<CanonicalEvent>;
  cappedMaxTokens?: number;
  /**
   * Ends the stream early on the gateway's own decision (a policy stop mid-stream): the provider is aborted, what
   * was generated is charged, and the request is reported as served with finish reason `content_filter`. The
   * events that follow are the closing `metering` (no more content).
   */
  stop(): void;
}

/** Where a `count_tokens` figure came from. */
export type TokenCountSource = 'model' | 'upstream' | 'estimate';

export interface TokenCount {
  inputTokens: number;
  source: TokenCountSource;
}


/**
 * The one entry point every protocol adapter calls: resolves the model, reserves credits, runs the
 * provider, settles credits from real usage, and reports exactly one summary per request to the
 * observer (audit), whatever the outcome.
 */
export class InferenceService {
  private readonly dispatch: Dispatch;

  constructor(
    private readonly catalog: ModelCatalog,
    private readonly observer?: InferenceObserver,
    private readonly meter?: Meter,
  ) {
    this.dispatch = new Dispatch(meter);
  }

  /**
   * A non-streaming call. `check` (the policy's output check) sees the answer before the request is reported, so
   * the audit record carries what it decided; it may rewrite the answer (redaction) but not its usage.
   */
  async complete(request: CanonicalRequest, ctx: InferenceContext, check?: (res: CanonicalResponse) => Promise<CanonicalResponse>): Promise<CompletionResult> {
    const s = await this.start(request, ctx, false);
    try {
      let res = await this.dispatch.send(s, ctx);
      s.tracker.upstreamEnded();
      s.tracker.generated(res.text); // the model's own text, before the output check may redact it (as streams)
      if (check) res = { ...(await check(res)), usage: res.usage };
      s.tracker.succeed(res.usage, res.finishReason, res.upstreamModel);
      const charge = s.admission && this.meter?.settle(s.admission, res.usage, true, Date.now());
      return { ...res, modelId: s.resolved.model.id, charge, cappedMaxTokens: s.admission?.capped ? s.admission.maxTokens : undefined };
    } catch (err) {
      this.dispatch.abandon(s);
      s.tracker.fail(err);
      throw err;
    }
  }

  /**
   * Starts a stream and waits for its first event, so failures before any output (unreachable
   * upstream, full queue, bad input, no credits) surface as ordinary HTTP errors, not in-stream errors.
   */
  async openStream(request: CanonicalRequest, ctx: InferenceContext): Promise<StreamHandle> {
    const s = await this.start(request, ctx, true);
    let first: IteratorResult<CanonicalEvent>;
    let iterator: AsyncIterator<CanonicalEvent>;
    const stopper = new CallAbort();
    s.stopper = stopper;
    try {
      ({ first, iterator } = await this.dispatch.open(s, ctx, stopper.signal));
      if (!first.done && first.value.type === 'error') throw first.value.error;
      this.dispatch.watch(s); // the upstream answered: checkpoint what it streams from now on
    } catch (err) {
      this.dispatch.abandon(s);
      s.tracker.fail(err);
      throw err;
    }
    return {
      events: this.dispatch.relay(first, iterator, s),
      cappedMaxTokens: s.admission?.capped ? s.admission.maxTokens : undefined,
      stop: () => stopper.abort(new Error('stopped by policy')),
    };
  }

  /**
   * Reports a request the gateway answered itself, without a model call (a policy escalation's holding answer):
   * audited once as served, nothing reserved or charged.
   */
  reportServed(ctx: InferenceContext, model: string, stream: boolean): void {
    let fields = { model, provider: '', upstreamModel: '', stream };
    try {
      const resolved = this.catalog.resolve(model);
      fields = { model: resolved.model.id, provider: resolved.provider.id, upstreamModel: resolved.model.upstream_model, stream };
    } catch {
      // an unknown model still gets its one audit row, under the name the caller used
    }
    // The prompt is digested (and retained, when the policy says so) like a refusal's: the reviewer needs it.
    new RequestTracker(ctx, this.observer, fields, this.digest(ctx, undefined)).succeed({ inputTokens: 0, outputTokens: 0 });
  }

  /**
   * Input tokens of a request as the target model counts them: the local model's tokenizer, else the
   * upstream's tokenize endpoint, else {@link estimateInputTokens}. Free: no credits are reserved.
   */
  async countTokens(request: CanonicalRequest, ctx: InferenceContext): Promise<TokenCount> {
    const { resolved, tracker } = this.track(request, ctx, false);
    try {
      const pr = this.dispatch.providerRequest({ resolved, tracker, request }, ctx);
      const { provider } = resolved;
      let count: TokenCount;
      if (provider.countTokens) count = { inputTokens: await provider.countTokens(pr), source: 'model' };
      else {
        const n = (await provider.tokenize?.(pr)) ?? null;
        count = n === null ? { inputTokens: estimateInputTokens(request), source: 'estimate' } : { inputTokens: n, source: 'upstream' };
      }
      tracker.succeed({ inputTokens: count.inputTokens, outputTokens: 0 });
      return count;
    } catch (err) {
      tracker.fail(err);
      throw err;
    }
  }

  /** Reports a request that failed before reaching the service (validation, unknown route body...). */
  reportRejected(ctx: InferenceContext, model: string, stream: boolean, err: unknown): void {
    new RequestTracker(ctx, this.observer, { model, provider: '', upstreamModel: '', stream }, this.digest(ctx, undefined)).fail(err);
  }

  /** Resolves the model (an unknown one is reported and thrown) and opens the request's tracker (and digest). */
  private track(request: CanonicalRequest, ctx: InferenceContext, stream: boolean): { resolved: ResolvedModel; tracker: RequestTracker } {
    let resolved: ResolvedModel;
    try {
      resolved = this.catalog.resolve(request.model);
    } catch (err) {
      this.reportRejected(ctx, request.model, stream, err);
      throw err;
    }
    const fields = { model: resolved.model.id, provider: resolved.provider.id, upstreamModel: resolved.model.upstream_model, stream };
    return { resolved, tracker: new RequestTracker(ctx, this.observer, fields, this.digest(ctx, request)) };
  }

  /** The observer's digest of the request, fed the caller's own last user message (before any redaction). */
  private digest(ctx: InferenceContext, request: CanonicalRequest | undefined): ContentDigest | undefined {
    const source = ctx.original ?? request;
    const digest = source ? this.observer?.digestFor?.(ctx) : undefined;
    digest?.prompt(lastUserText(source!));
    return digest;
  }

  private async start(request: CanonicalRequest, ctx: InferenceContext, stream: boolean): Promise<Started> {
    const { resolved, tracker } = this.track(request, ctx, stream);
    try {
      request = withinOutputLimit(request, resolved.model); // a cap above the model's limit: a 400 before any credit is held
    } catch (err) {
      tracker.fail(err);
      throw err;
    }
    if (!this.meter) {
      await this.passGate(ctx, tracker);
      return { resolved, tracker, request };
    }
    try {
      const inputTokens = await this.countInput(request, resolved, ctx);
      tracker.countedInput(inputTokens);
      const { model, provider } = resolved;
      const { requestId, payer, surface, startedAtMs } = ctx;
      const facts = { provider: provider.id, upstreamModel: model.upstream_model, surface, stream, startedAtMs }; // for crash recovery
      const input: AdmitInput = { requestId, payer, request, inputTokens, model: model.id, quota: ctx.quota, ...facts };
      tracker.admissionStarted();
      const admitting = this.meter.admit(input);
      const admitted = traced(ctx, ctx.gate ? this.gated(ctx.gate, admitting) : admitting);
      const forecast = !ctx.gate || ctx.gateLikely ? this.meter.forecast?.(input) : undefined;
      if (forecast) {
        admitted.catch(() => undefined); // awaited by confirm() or abandon()
        const pending = { admitted, maxTokens: forecast.maxTokens, request };
        return { resolved, tracker, pending, request: withCap(request, forecast.maxTokens) };
      }
      const admission = await admitted;
      tracker.admissionEnded();
      // The cap the reservation pays for is always sent, so the charge can never exceed the grant.
      return { resolved, tracker, admission, request: withCap(request, admission.maxTokens) };
    } catch (err) {
      tracker.admissionEnded(); // a refusal's round trip counts too (nothing when admission was never asked)
      tracker.fail(err);
      throw err;
    }
  }

  /**
   * Admission and the request's gate (the deferred rate limit) in flight together: one awaited stage. A refused gate
   * gives the admission back (uncharged) and is the request's error; otherwise admission's outcome is.
   */
  private async gated(gate: Promise<void>, admitting: Promise<Admission>): Promise<Admission> {
    const [g, a] = await Promise.allSettled([gate, admitting]);
    if (g.status === 'rejected') {
      if (a.status === 'fulfilled') this.meter?.settle(a.value, { inputTokens: 0, outputTokens: 0 }, false, Date.now());
      throw g.reason;
    }
    if (a.status === 'rejected') throw a.reason;
    return a.value;
  }

  private async passGate(ctx: InferenceContext, tracker: RequestTracker): Promise<void> {
    try {
      await ctx.gate;
    } catch (err) {
      tracker.fail(err);
      throw err;
    }
  }

  private async countInput(request: CanonicalRequest, resolved: ResolvedModel, ctx: InferenceContext): Promise<number> {
    const { provider } = resolved;
    if (!provider.countTokens) return estimateInputTokens(request);
    return provider.countTokens({ request, upstreamModel: resolved.model.upstream_model, requestId: ctx.requestId, signal: ctx.signal });
  }

}

/** Admission as the trace's `gateway.admission` span (credits, quotas and the deferred rate limit, in flight together). */
function traced<T>(ctx: InferenceContext, admitted: Promise<T>): Promise<T> {
  const end = ctx.trace?.stage('gateway.admission');
  if (end) admitted.then(() => end(), end);
  return admitted;
}


/** The text of the last user message (its text parts joined by newlines): what `prompt_hmac` digests. */
export function lastUserText(request: CanonicalRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m.role === 'user') return m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  }
  return '';
}
