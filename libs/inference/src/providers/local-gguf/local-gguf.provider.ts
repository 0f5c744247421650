import type { CanonicalEvent, CanonicalResponse, FinishReason } from '../../canonical/canonical-event';
import { foldEvents } from '../../canonical/fold-events';
import { GatewayError, GatewayErrorCode, isGatewayError } from '../../errors/gateway-error';
import type { ModelProvider, ProviderCapabilities, ProviderRequest } from '../model-provider';
import { runCompletion } from './completion-runner';
import { EventChannel } from './event-channel';
import { disposeRuntime, loadRuntime } from './llama-runtime';
import type { LlamaContextSequence, LlamaRuntime, LocalGgufConfig, LocalGgufLog, Token } from './llama-runtime';
import { planRequest } from './request-plan';
import type { GenerationPlan } from './request-plan';
import { SequencePool } from './sequence-pool';
import type { PoolStats } from './sequence-pool';
import { generateToolCall } from './tool-call-generator';

export type { LocalGgufConfig, LocalGgufLog } from './llama-runtime';

/** A request rendered and tokenized once, ready to run. */
interface PreparedJob {
  plan: GenerationPlan;
  tokens: Token[];
  /** Prompt tokens as the model sees them (BOS included). */
  inputTokens: number;
}

/**
 * The embedded engine: a GGUF model run in-process by node-llama-cpp. One context holds `sequences`
 * sequences, so that many generations run at once; up to `max_queue` more wait in FIFO order, and any
 * beyond that are refused with `upstream_overloaded`.
 *
 * Abort semantics: a request whose signal aborts while queued fails with `client_closed` (thrown, before
 * any event); one that aborts while generating stops within a token and its stream ends with an `error`
 * event carrying `client_closed` (so `complete()` rejects with it). Stopping the iteration early has the
 * same effect. Either way the sequence is cleared and returned to the pool before the iterator finishes.
 */
export class LocalGgufProvider implements ModelProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities = { images: false, tools: true };
  private runtime?: LlamaRuntime;
  private pool?: SequencePool<LlamaContextSequence>;
  private initPromise?: Promise<void>;
  private closing = false;
  private readonly running = new Set<{ abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly config: LocalGgufConfig,
    private readonly log: LocalGgufLog = () => undefined,
  ) {
    this.id = config.id;
  }

  init(): Promise<void> {
    this.initPromise ??= loadRuntime(this.config, this.log).then((rt) => {
      this.runtime = rt;
      this.pool = new SequencePool(rt.sequences, this.config.max_queue);
    });
    return this.initPromise;
  }

  isReady(): boolean {
    return this.runtime !== undefined && !this.closing;
  }

  /** Generations running and requests queued right now. */
  queueStats(): PoolStats {
    return this.pool?.stats() ?? { running: 0, waiting: 0, capacity: this.config.sequences, maxQueue: this.config.max_queue };
  }

  async countTokens(req: ProviderRequest): Promise<number> {
    return this.prepare(this.requireRuntime(), req).inputTokens;
  }

  complete(req: ProviderRequest): Promise<CanonicalResponse> {
    return foldEvents(this.stream(req));
  }

  async *stream(req: ProviderRequest): AsyncGenerator<CanonicalEvent> {
    const rt = this.requireRuntime();
    const pool = this.pool!;
    const job = this.prepare(rt, req);
    // Synchronous up to here, so concurrent requests join the queue in call order.
    const sequence = await pool.acquire(req.signal);
    const abort = new AbortController();
    const onAbort = () => abort.abort(req.signal.reason);
    req.signal.addEventListener('abort', onAbort, { once: true });
    const channel = new EventChannel<CanonicalEvent>();
    const entry = { abort, done: this.execute(rt, pool, sequence, job, req, channel, abort.signal) };
    this.running.add(entry);
    try {
      yield* channel;
    } finally {
      abort.abort(new GatewayError(GatewayErrorCode.ClientClosed, 'the consumer stopped reading the stream'));
      await entry.done;
      this.running.delete(entry);
      req.signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.initPromise?.catch(() => undefined);
    const shuttingDown = new GatewayError(GatewayErrorCode.UpstreamUnavailable, `local model provider '${this.id}' is shutting down`);
    this.pool?.close(shuttingDown);
    for (const entry of this.running) entry.abort.abort(shuttingDown);
    await Promise.all([...this.running].map((e) => e.done));
    if (this.runtime) await disposeRuntime(this.runtime);
  }

  /** Renders and tokenizes once; validation errors are thrown before the request is queued. */
  private prepare(rt: LlamaRuntime, req: ProviderRequest): PreparedJob {
    const plan = planRequest(req.request, req.upstreamModel, this.id);
    const tokens = rt.model.tokenize(plan.prompt, false, rt.tokenizeMode);
    const inputTokens = tokens.length + (rt.prependsBos ? 1 : 0);
    const contextSize = rt.contextSize;
    if (inputTokens >= contextSize) {
      throw new GatewayError(
        GatewayErrorCode.InvalidRequest,
        `The prompt is ${inputTokens} tokens; model '${req.upstreamModel}' has a context of ${contextSize} tokens ` +
          'and needs room for at least one generated token.',
        { param: 'messages', wireCode: 'context_length_exceeded' },
      );
    }
    return { plan, tokens, inputTokens };
  }

  /** Runs one generation into `channel`; never rejects. Frees the sequence before ending the channel. */
  private async execute(
    rt: LlamaRuntime,
    pool: SequencePool<LlamaContextSequence>,
    sequence: LlamaContextSequence,
    job: PreparedJob,
    req: ProviderRequest,
    channel: EventChannel<CanonicalEvent>,
    signal: AbortSignal,
  ): Promise<void> {
    const { plan, tokens, inputTokens } = job;
    const emit = (event: CanonicalEvent) => channel.push(event);
    try {
      emit({ type: 'message_start', upstreamModel: req.upstreamModel, inputTokens });
      const { mode, maxTokens, sampling } = plan;
      const outcome: { outputTokens: number; finishReason: FinishReason; stopSequence?: string } =
        mode.kind === 'tool'
          ? await generateToolCall(rt, sequence, { tokens, candidates: mode.candidates, maxTokens, sampling, signal, emit })
          : await runCompletion(rt, sequence, {
              tokens,
              maxTokens,
              sampling,
              stop: plan.stop,
              signal,
              grammar: mode.json ? await rt.grammars.forSchema(mode.json.schema ?? { type: 'object' }) : undefined,
              onText: (text) => emit({ type: 'text_delta', text }),
            });
      emit({ type: 'usage', usage: { inputTokens, outputTokens: outcome.outputTokens } });
      emit({
        type: 'message_stop',
        finishReason: outcome.finishReason,
        ...(outcome.stopSequence !== undefined ? { stopSequence: outcome.stopSequence } : {}),
      });
    } catch (err) {
      emit({ type: 'error', error: this.toGatewayError(err, signal) });
    } finally {
      await this.recycle(pool, sequence);
      channel.end();
    }
  }

  private async recycle(pool: SequencePool<LlamaContextSequence>, sequence: LlamaContextSequence): Promise<void> {
    try {
      await sequence.clearHistory();
    } catch (err) {
      if (this.closing) return;
      this.log('warn', `local model: clearing a sequence failed: ${(err as Error).message}`);
    }
    pool.release(sequence);
  }

  private toGatewayError(err: unknown, signal: AbortSignal): GatewayError {
    if (signal.aborted) {
      const reason: unknown = signal.reason;
      if (isGatewayError(reason)) return reason;
      return new GatewayError(GatewayErrorCode.ClientClosed, 'client closed the request; generation stopped');
    }
    if (isGatewayError(err)) return err;
    this.log('error', `local model generation failed: ${(err as Error)?.stack ?? String(err)}`);
    return new GatewayError(GatewayErrorCode.UpstreamError, `local model generation failed: ${(err as Error)?.message ?? String(err)}`, {
      cause: err,
    });
  }

  private requireRuntime(): LlamaRuntime {
    if (this.closing) throw new GatewayError(GatewayErrorCode.UpstreamUnavailable, `local model provider '${this.id}' is shutting down`);
    if (!this.runtime) throw new GatewayError(GatewayErrorCode.UpstreamUnavailable, `local model provider '${this.id}' is not loaded yet`);
    return this.runtime;
  }
}
