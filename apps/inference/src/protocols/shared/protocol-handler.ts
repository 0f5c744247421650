import { Injectable, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CallAbort,
  GatewayError,
  GatewayErrorCode,
  InferenceService,
  type CanonicalEvent,
  type CanonicalRequest,
  type CanonicalResponse,
  type CompletionResult,
  type InferenceContext,
  type Surface,
} from '@gw/inference';
import { Tracing } from '@gw/observability';
import { checkResult, checksOutput, guardStream, type PolicyRun } from '@gw/policy';
import { eventsOf, localAnswer, summaryRequest, withPolicy, withPolicyField } from '../../policy/policy-answers';
import { PolicyEnforcer, type PreCheck } from '../../policy/policy-enforcer';
import { toGatewayError } from './error-envelope';
import { gatedError } from './gated-error';
import { InflightRegistry } from './inflight.registry';
import type { ParsedRequest, ProtocolAdapter } from './protocol-adapter';
import { headersOf, MAX_TOKENS_CAPPED_HEADER } from './reply-headers';
import { SseWriter } from './sse-writer';
import { stage } from './trace-stage';

export { gatedError } from './gated-error';
export type { ParsedRequest, ProtocolAdapter, StreamEncoder } from './protocol-adapter';
export { MAX_TOKENS_CAPPED_HEADER } from './reply-headers';

/**
 * The flow shared by every generation endpoint: parse → InferenceService → JSON or SSE, with the
 * client's disconnect aborting the provider. Errors before output propagate to the exception filter.
 */
@Injectable()
export class ProtocolHandler {
  private static readonly handled = new WeakSet<FastifyRequest>();

  /** True once a request reached {@link handle}; from then on the service reports its outcome. */
  static reached(req: FastifyRequest): boolean {
    return ProtocolHandler.handled.has(req);
  }

  /**
   * Marks the request as reached (from here on the service reports its outcome, so the global filter
   * must not audit a failure again) and builds its context; the client's disconnect aborts `signal`.
   * Also used by handlers outside {@link handle} (count_tokens).
   */
  static openContext(req: FastifyRequest, reply: FastifyReply, surface: Surface, ac = new CallAbort(), onClose?: () => void): InferenceContext {
    ProtocolHandler.handled.add(req);
    reply.raw.once('close', () => {
      onClose?.();
      if (!reply.raw.writableFinished) ac.abort(new Error('client disconnected'));
    });
    return { requestId: req.id, surface, startedAt: req.startedAt, startedAtMs: req.startedAtMs, signal: ac, payer: req.payer, gate: req.rateLimitGate, gateLikely: req.rateLimitLikely };
  }

  /** The caller's `model` and `stream` for auditing a body that failed to parse. */
  static claimed(body: unknown): { model: string; stream: boolean } {
    const b = body as { model?: unknown; stream?: unknown } | undefined;
    return { model: typeof b?.model === 'string' ? b.model : '', stream: b?.stream === true };
  }

  constructor(
    private readonly inference: InferenceService,
    private readonly inflight: InflightRegistry,
    private readonly policy: PolicyEnforcer,
    @Optional() private readonly tracing?: Tracing,
  ) {}

  private preCheck(resolution: NonNullable<FastifyRequest['policyResolution']>, ctx: InferenceContext, canonical: CanonicalRequest): Promise<PreCheck> {
    return stage(ctx, 'gateway.policy.pre', () => this.policy.pre(resolution, ctx, canonical));
  }

  async handle<M>(adapter: ProtocolAdapter<M>, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const ac = new CallAbort();
    const release = this.inflight.add(ac, { requestId: req.id, surface: adapter.surface, startedAtMs: req.startedAtMs });
    const ctx = ProtocolHandler.openContext(req, reply, adapter.surface, ac, release);
    if (this.tracing) ctx.trace = this.tracing.startRequest(req.id, req.method, req.url, req.headers, adapter.surface);
    let parsed: ParsedRequest<M>;
    let pre: PreCheck;
    try {
      if (this.inflight.draining) {
        throw new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'The gateway is shutting down; retry on another instance.', { status: 503 });
      }
      parsed = await adapter.parse(req.body, ctx, req.headers);
      ctx.original = parsed.canonical;
      // The policy pre-check (refuse, escalate, redact, rewrite...) before any credit is held: a refusal costs nothing.
      const resolution = req.policyResolution;
      pre = resolution ? await this.preCheck(resolution, ctx, parsed.canonical) : { kind: 'proceed', run: null, request: parsed.canonical };
    } catch (caught) {
      const err = await gatedError(req, caught);
      const { model, stream } = ProtocolHandler.claimed(req.body);
      this.inference.reportRejected(ctx, model, stream, err);
      throw err;
    }
    const run = pre.run;
    const shown = run && req.policyResolution?.surface === 'policy' ? run : null;
    try {
      await this.answer(adapter, parsed, pre, ctx, req, reply, shown);
    } catch (err) {
      throw shown ? withPolicy(toGatewayError(err), shown) : err;
    }
  }

  private async answer<M>(
    adapter: ProtocolAdapter<M>,
    parsed: ParsedRequest<M>,
    pre: PreCheck,
    ctx: InferenceContext,
    req: FastifyRequest,
    reply: FastifyReply,
    shown: PolicyRun | null,
  ): Promise<void> {
    const { canonical, meta } = parsed;
    const run = pre.run;
    const check = run && checksOutput(run) ? <T extends CanonicalResponse>(r: T) => stage(ctx, 'gateway.policy.post', () => checkResult(run, r)) : undefined;
    let result: CompletionResult;
    if (pre.kind === 'escalate') {
      try {
        await ctx.gate; // no answer, not even a holding one, over the rate limit
      } catch (err) {
        this.inference.reportRejected(ctx, canonical.model, canonical.stream, err);
        throw err;
      }
      result = localAnswer(pre.message, canonical.model);
      this.inference.reportServed(ctx, canonical.model, canonical.stream);
    } else if (pre.kind === 'summary') {
      // Two calls through the same provider, each billed and audited: the answer, then its summary.
      // Quotas count the request once (on the first call) and the tokens of both.
      const first = await this.inference.complete({ ...pre.request, stream: false }, { ...ctx, requestId: `${ctx.requestId}.answer` });
      if (ctx.quota) ctx.quota = { ...ctx.quota, requests: 0 };
      result = await this.inference.complete(summaryRequest(pre.request, pre.run, first.text), ctx, check);
    } else if (!canonical.stream) {
      result = await this.inference.complete(pre.request, ctx, check);
    } else {
      const stream = await this.inference.openStream(pre.request, ctx);
      const headers: Record<string, string> = { 'x-request-id': req.id, 'request-id': req.id };
      if (stream.cappedMaxTokens !== undefined) headers[MAX_TOKENS_CAPPED_HEADER] = String(stream.cappedMaxTokens);
      const events = run && checksOutput(run) ? guardStream(run, stream.events, () => stream.stop()) : stream.events;
      return this.pipe(events, adapter, parsed, ctx, reply, headers, shown);
    }
    if (canonical.stream) {
      return this.pipe(eventsOf(result), adapter, parsed, ctx, reply, { 'x-request-id': req.id, 'request-id': req.id }, shown);
    }
    if (result.cappedMaxTokens !== undefined) void reply.header(MAX_TOKENS_CAPPED_HEADER, String(result.cappedMaxTokens));
    const body = adapter.respond(result, canonical, meta);
    if (shown) (body as Record<string, unknown>).policy = shown.policyObject();
    await adapter.afterResponse?.(canonical, meta, body, ctx);
    await reply.status(200).header('content-type', 'application/json').send(body);
  }

  private async pipe<M>(
    events: AsyncIterable<CanonicalEvent>,
    adapter: ProtocolAdapter<M>,
    { canonical, meta }: ParsedRequest<M>,
    ctx: InferenceContext,
    reply: FastifyReply,
    headers: Record<string, string>,
    shown: PolicyRun | null,
  ): Promise<void> {
    reply.hijack();
    const sse = new SseWriter(reply.raw, {
      headers: { ...headersOf(reply), ...headers },
      heartbeatFrame: adapter.heartbeat?.frame,
      heartbeatMs: adapter.heartbeat?.everyMs,
    });
    const encoder = adapter.encoder(canonical, meta);
    const frameOf = shown ? (f: string) => withPolicyField(f, shown.policyJson()) : (f: string) => f;
    try {
      for await (const ev of events) {
        const frame = encoder.encode(ev);
        const full = frame ? sse.write(frameOf(frame)) : undefined;
        if (full) await full;
        if (sse.closed) break;
      }
      const tail = encoder.finish();
      if (adapter.afterResponse && !sse.closed) await adapter.afterResponse(canonical, meta, encoder.finalBody?.(), ctx);
      await sse.write(frameOf(tail));
    } catch (err) {
      await sse.write(frameOf(encoder.encode({ type: 'error', error: toGatewayError(err) })));
    } finally {
      sse.end();
    }
  }
}

