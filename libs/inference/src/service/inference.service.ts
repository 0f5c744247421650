import type { CanonicalRequest } from '../canonical/canonical-request';
import type { CanonicalEvent, CanonicalResponse } from '../canonical/canonical-event';
import type { ModelCatalog, ResolvedModel } from '../catalog/model-catalog';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import type { ProviderRequest } from '../providers/model-provider';
import type { InferenceContext, InferenceObserver } from './inference-context';
import { RequestTracker } from './request-tracker';

export interface CompletionResult extends CanonicalResponse {
  /** Catalogue id of the model that served (the caller may have used an alias). */
  modelId: string;
}

/**
 * The one entry point every protocol adapter calls. Resolves the model, runs the provider, and reports
 * exactly one summary per request to the observer (audit, later metering), whatever the outcome.
 */
export class InferenceService {
  constructor(
    private readonly catalog: ModelCatalog,
    private readonly observer?: InferenceObserver,
  ) {}

  async complete(request: CanonicalRequest, ctx: InferenceContext): Promise<CompletionResult> {
    const { resolved, tracker } = this.start(request, ctx, false);
    try {
      const res = await resolved.provider.complete(this.providerRequest(request, resolved, ctx));
      tracker.succeed(res.usage, res.finishReason, res.upstreamModel);
      return { ...res, modelId: resolved.model.id };
    } catch (err) {
      tracker.fail(err);
      throw err;
    }
  }

  /**
   * Starts a stream and waits for its first event, so failures before any output (unreachable
   * upstream, full queue, bad input) surface as ordinary HTTP errors rather than in-stream errors.
   */
  async openStream(request: CanonicalRequest, ctx: InferenceContext): Promise<AsyncIterable<CanonicalEvent>> {
    const { resolved, tracker } = this.start(request, ctx, true);
    let first: IteratorResult<CanonicalEvent>;
    let iterator: AsyncIterator<CanonicalEvent>;
    try {
      iterator = resolved.provider.stream(this.providerRequest(request, resolved, ctx))[Symbol.asyncIterator]();
      first = await iterator.next();
      if (!first.done && first.value.type === 'error') throw first.value.error;
    } catch (err) {
      tracker.fail(err);
      throw err;
    }
    return this.relay(first, iterator, tracker);
  }

  /** Reports a request that failed before reaching the service (validation, unknown route body...). */
  reportRejected(ctx: InferenceContext, model: string, stream: boolean, err: unknown): void {
    new RequestTracker(ctx, this.observer, { model, provider: '', upstreamModel: '', stream }).fail(err);
  }

  private start(request: CanonicalRequest, ctx: InferenceContext, stream: boolean) {
    let resolved: ResolvedModel;
    try {
      resolved = this.catalog.resolve(request.model);
    } catch (err) {
      this.reportRejected(ctx, request.model, stream, err);
      throw err;
    }
    const tracker = new RequestTracker(ctx, this.observer, {
      model: resolved.model.id,
      provider: resolved.provider.id,
      upstreamModel: resolved.model.upstream_model,
      stream,
    });
    return { resolved, tracker };
  }

  private providerRequest(request: CanonicalRequest, resolved: ResolvedModel, ctx: InferenceContext): ProviderRequest {
    if (ctx.signal.aborted) throw new GatewayError(GatewayErrorCode.ClientClosed, 'client closed the request');
    return { request, upstreamModel: resolved.model.upstream_model, requestId: ctx.requestId, signal: ctx.signal };
  }

  private async *relay(
    first: IteratorResult<CanonicalEvent>,
    iterator: AsyncIterator<CanonicalEvent>,
    tracker: RequestTracker,
  ): AsyncGenerator<CanonicalEvent> {
    let finished = false;
    try {
      for (let step = first; !step.done; step = await iterator.next()) {
        tracker.see(step.value);
        if (step.value.type === 'error') {
          tracker.fail(step.value.error);
          finished = true;
        }
        yield step.value;
        if (finished) return;
      }
      tracker.succeed();
      finished = true;
    } catch (err) {
      tracker.fail(err);
      finished = true;
      throw err;
    } finally {
      if (!finished) {
        // The consumer stopped early (client disconnected): stop the provider and record what was generated.
        tracker.abandon();
        await iterator.return?.().catch(() => undefined);
      }
    }
  }
}
