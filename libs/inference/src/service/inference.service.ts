import type { CanonicalRequest } from '../canonical/canonical-request';
import type { CanonicalEvent, CanonicalResponse } from '../canonical/canonical-event';
import type { ModelCatalog, ResolvedModel } from '../catalog/model-catalog';
import type { ContentDigest, InferenceContext, InferenceObserver } from './inference-context';
import type { AdmitInput, Meter } from './meter.port';
import { RequestTracker } from './request-tracker';
import { withinOutputLimit } from './output-limit';
import { estimateInputTokens } from './token-estimate';
import { Dispatch, withCap, type Started } from './dispatch';
import { CallAbort } from './call-abort';
import type { CompletionResult, StreamHandle, TokenCount } from './inference-results';
import { lastUserText } from './last-user-text';
import { countInput, gated, passGate, traced } from './admission-steps';

export type { CompletionResult, StreamHandle, TokenCount, TokenCountSource } from './inference-results';
export { lastUserText } from './last-user-text';

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
      await passGate(ctx, tracker);
      return { resolved, tracker, request };
    }
    try {
      const inputTokens = await countInput(request, resolved, ctx);
      tracker.countedInput(inputTokens);
      const { model, provider } = resolved;
      const { requestId, payer, surface, startedAtMs } = ctx;
      const facts = { provider: provider.id, upstreamModel: model.upstream_model, surface, stream, startedAtMs }; // for crash recovery
      const input: AdmitInput = { requestId, payer, request, inputTokens, model: model.id, quota: ctx.quota, ...facts };
      tracker.admissionStarted();
      const admitting = this.meter.admit(input);
      const admitted = traced(ctx, ctx.gate ? gated(this.meter, ctx.gate, admitting) : admitting);
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

}
