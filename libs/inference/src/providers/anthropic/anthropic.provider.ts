import type { Dispatcher, Pool } from 'undici';
import type { CanonicalEvent, CanonicalResponse } from '../../canonical/canonical-event';
import { GatewayError, GatewayErrorCode, withRetryAfter } from '../../errors/gateway-error';
import type { ModelProvider, ProviderCapabilities, ProviderRequest } from '../model-provider';
import { closeUpstreamPool, createUpstreamPool, errorContextOf, warnOf, type ProviderLogger } from '../upstream-pool';
import { relayUpstreamStream } from '../upstream-stream';
import { MAX_ERROR_BODY, readCapped } from '../openai-compatible/read-capped';
import { RequestDeadline } from '../../service/request-deadline';
import { responseToEvents } from '../openai-compatible/stream-parser';
import { invalidResponse, transportError, type ErrorContext } from '../openai-compatible/upstream-errors';
import type { AnthropicConfig } from './anthropic.config';
import { betaHeader } from './anthropic-beta';
import { readInputTokens, readJson } from './anthropic-bodies';
import { anthropicHttpError } from './anthropic-errors';
import { buildCountTokensBody, buildMessagesBody } from './request-builder';
import { parseAnthropicMessage } from './response-parser';
import { MessagesStreamDecoder } from './stream-parser';

/** A token count is worth a short wait only: past this the estimator answers. */
const TOKENIZE_TIMEOUT_MS = 5_000;

/**
 * Anthropic Messages upstreams (Anthropic itself, or any server speaking `POST /v1/messages`) over one keep-alive
 * undici Pool. Same discipline as the OpenAI-compatible provider: every call is bounded by `timeout_ms`, aborted at
 * once (socket included) when the caller's signal fires, and no message ever contains the API key.
 */
export class AnthropicProvider implements ModelProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  private readonly pool: Pool;
  private readonly messagesPath: string;
  private readonly headers: Record<string, string>;
  private readonly errCtx: ErrorContext;
  private readonly warn: (message: string) => void;
  private closed = false;

  constructor(
    private readonly config: AnthropicConfig,
    logger?: ProviderLogger,
  ) {
    this.warn = warnOf(logger);
    this.id = config.id;
    this.capabilities = { images: config.supports_images, tools: true };
    const base = new URL(config.base_url);
    const prefix = base.pathname.replace(/\/+$/, '');
    this.messagesPath = `${prefix.endsWith('/v1') ? prefix : `${prefix}/v1`}/messages`;
    this.pool = createUpstreamPool(base.origin, config);
    // Extra headers first: they may add (anthropic-beta, ...) but not replace what the provider owns.
    this.headers = {};
    for (const [k, v] of Object.entries(config.extra_headers)) this.headers[k.toLowerCase()] = v;
    Object.assign(this.headers, { 'content-type': 'application/json', 'anthropic-version': config.anthropic_version });
    if (config.api_key) this.headers['x-api-key'] = config.api_key;
    this.errCtx = errorContextOf(config);
  }

  async init(): Promise<void> {}

  isReady(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeUpstreamPool(this.pool);
  }

  async complete(req: ProviderRequest): Promise<CanonicalResponse> {
    const deadline = new RequestDeadline(req.signal, this.config.timeout_ms);
    try {
      const res = await this.send(req, this.messagesPath, this.body(req, false), 'application/json', deadline);
      const parsed = parseAnthropicMessage(await readJson(res, deadline, this.errCtx), req.upstreamModel);
      if (!parsed) throw invalidResponse(this.errCtx, 'the body has no content');
      return parsed;
    } finally {
      deadline.dispose();
    }
  }

  /** `POST /v1/messages/count_tokens` → `input_tokens`; null when the upstream has no such endpoint or it failed. */
  async tokenize(req: ProviderRequest): Promise<number | null> {
    if (this.closed) return null;
    const opts = { upstreamModel: req.upstreamModel, supportsImages: this.config.supports_images, defaultMaxTokens: this.config.default_max_tokens };
    const body = JSON.stringify(buildCountTokensBody(req.request, opts));
    const deadline = new RequestDeadline(req.signal, Math.min(this.config.timeout_ms, TOKENIZE_TIMEOUT_MS));
    try {
      const res = await this.pool.request({ path: `${this.messagesPath}/count_tokens`, method: 'POST', headers: this.requestHeaders(req, 'application/json'), body, signal: deadline.signal });
      const text = await readCapped(res.body, MAX_ERROR_BODY);
      const count = res.statusCode === 200 ? readInputTokens(text) : undefined;
      if (count !== undefined) return count;
      this.warn(`Upstream '${this.id}' count_tokens answered ${res.statusCode} without a count; using the estimator (request ${req.requestId})`);
      return null;
    } catch (err) {
      if (req.signal.aborted) throw transportError(err, this.errCtx, deadline, false);
      this.warn(`${transportError(err, this.errCtx, deadline, false).message} (count_tokens); using the estimator (request ${req.requestId})`);
      return null;
    } finally {
      deadline.dispose();
    }
  }

  stream(req: ProviderRequest): AsyncIterableIterator<CanonicalEvent> {
    return relayUpstreamStream({
      signal: req.signal,
      timeoutMs: this.config.timeout_ms,
      errCtx: this.errCtx,
      open: (deadline) => this.send(req, this.messagesPath, this.body(req, true), 'text/event-stream', deadline),
      replayJson: async (res, deadline) => {
        const parsed = parseAnthropicMessage(await readJson(res, deadline, this.errCtx), req.upstreamModel);
        if (!parsed) throw invalidResponse(this.errCtx, 'the body has no content');
        return responseToEvents(parsed);
      },
      decoder: () => new MessagesStreamDecoder(this.errCtx, req.upstreamModel, req.requestId),
    });
  }

  private body(req: ProviderRequest, stream: boolean): string {
    const opts = { upstreamModel: req.upstreamModel, stream, supportsImages: this.config.supports_images, defaultMaxTokens: this.config.default_max_tokens };
    return JSON.stringify(buildMessagesBody(req.request, opts));
  }

  private requestHeaders(req: ProviderRequest, accept: string): Record<string, string> {
    const headers: Record<string, string> = { ...this.headers, ...req.traceHeaders, accept, 'x-request-id': req.requestId };
    const beta = betaHeader(this.headers['anthropic-beta'], req.request);
    if (beta !== undefined) headers['anthropic-beta'] = beta;
    return headers;
  }

  /** Sends the request; resolves with a 2xx response, throws GatewayError otherwise. */
  private async send(req: ProviderRequest, path: string, body: string, accept: string, deadline: RequestDeadline): Promise<Dispatcher.ResponseData> {
    if (this.closed) throw new GatewayError(GatewayErrorCode.UpstreamUnavailable, `Upstream '${this.id}' is shut down`);
    if (deadline.signal.aborted) throw transportError(deadline.signal.reason, this.errCtx, deadline, false);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({ path, method: 'POST', headers: this.requestHeaders(req, accept), body, signal: deadline.signal });
    } catch (err) {
      const error = transportError(err, this.errCtx, deadline, false);
      if (error.code !== GatewayErrorCode.ClientClosed) this.warn(`${error.message} (request ${req.requestId})`);
      throw error;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = await readCapped(res.body, MAX_ERROR_BODY);
    const mapped = anthropicHttpError(res.statusCode, text, this.errCtx, req.request.model);
    const { detail } = mapped;
    const error = withRetryAfter(mapped.error, res.headers['retry-after']);
    if (res.statusCode >= 500 || res.statusCode === 429 || res.statusCode === 404 || error.code === GatewayErrorCode.UpstreamError) {
      this.warn(`Upstream '${this.id}' answered HTTP ${res.statusCode}: ${detail} (request ${req.requestId})`);
    }
    throw error;
  }
}
