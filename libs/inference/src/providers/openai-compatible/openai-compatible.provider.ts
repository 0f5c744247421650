import type { ProviderConfig } from '@gw/config';
import type { Dispatcher, Pool } from 'undici';
import type { CanonicalEvent, CanonicalResponse } from '../../canonical/canonical-event';
import { GatewayError, GatewayErrorCode, withRetryAfter } from '../../errors/gateway-error';
import type { ModelProvider, ProviderCapabilities, ProviderRequest } from '../model-provider';
import { closeUpstreamPool, createUpstreamPool, errorContextOf, warnOf, type ProviderLogger } from '../upstream-pool';
import { relayUpstreamStream } from '../upstream-stream';
import { MAX_ERROR_BODY, readCapped } from './read-capped';
import { RequestDeadline } from '../../service/request-deadline';
import { buildChatBody } from './request-builder';
import { parseChatCompletion } from './response-parser';
import { ChatStreamDecoder, responseToEvents } from './stream-parser';
import { httpError, invalidResponse, payloadError, transportError, type ErrorContext } from './upstream-errors';

export type OpenAICompatibleConfig = Extract<ProviderConfig, { kind: 'openai-compatible' }>;

export type { ProviderLogger } from '../upstream-pool';

/** A token count is worth a short wait only: past this the estimator answers. */
const TOKENIZE_TIMEOUT_MS = 5_000;

/**
 * Any OpenAI Chat Completions upstream (OpenAI, vLLM, llama.cpp server, LM Studio, ...) over one keep-alive
 * undici Pool. Each call is bounded by `timeout_ms` (whole request, headers and body) and aborted at once,
 * socket included, when the caller's signal fires.
 */
export class OpenAICompatibleProvider implements ModelProvider {
  readonly id: string;
  readonly capabilities: ProviderCapabilities;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly baseHeaders: Record<string, string>;
  private readonly errCtx: ErrorContext;
  private readonly warn: (message: string) => void;
  private closed = false;

  constructor(
    private readonly config: OpenAICompatibleConfig,
    logger?: ProviderLogger,
  ) {
    this.warn = warnOf(logger);
    this.id = config.id;
    this.capabilities = { images: config.supports_images, tools: true };
    const base = new URL(config.base_url);
    this.path = `${base.pathname.replace(/\/+$/, '')}/chat/completions`;
    this.pool = createUpstreamPool(base.origin, config);
    this.baseHeaders = { 'content-type': 'application/json' };
    if (config.api_key) this.baseHeaders.authorization = `Bearer ${config.api_key}`;
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
      const res = await this.send(req, false, deadline);
      const json = await this.readJson(res, deadline);
      const parsed = parseChatCompletion(json, req.upstreamModel);
      if (!parsed) throw invalidResponse(this.errCtx, 'the body has no choices');
      return parsed;
    } finally {
      deadline.dispose();
    }
  }

  /** Counts through the upstream's tokenize endpoint (`tokenize_path`); null when unset or when it fails. */
  async tokenize(req: ProviderRequest): Promise<number | null> {
    if (!this.config.tokenize_path || this.closed) return null;
    const chat = buildChatBody(req.request, { upstreamModel: req.upstreamModel, stream: false, supportsImages: this.config.supports_images });
    const deadline = new RequestDeadline(req.signal, Math.min(this.config.timeout_ms, TOKENIZE_TIMEOUT_MS));
    try {
      const res = await this.pool.request({
        path: this.config.tokenize_path,
        method: 'POST',
        headers: { ...this.baseHeaders, ...req.traceHeaders, accept: 'application/json', 'x-request-id': req.requestId },
        body: JSON.stringify({ model: chat.model, messages: chat.messages, ...(chat.tools ? { tools: chat.tools } : {}), add_generation_prompt: true }),
        signal: deadline.signal,
      });
      const text = await readCapped(res.body, MAX_ERROR_BODY);
      const json = res.statusCode === 200 ? (JSON.parse(text) as { count?: unknown; tokens?: unknown }) : {};
      if (typeof json.count === 'number') return json.count;
      if (Array.isArray(json.tokens)) return json.tokens.length;
      this.warn(`Upstream '${this.id}' tokenize answered ${res.statusCode} without a count; using the estimator (request ${req.requestId})`);
      return null;
    } catch (err) {
      if (req.signal.aborted) throw transportError(err, this.errCtx, deadline, false);
      this.warn(`Upstream '${this.id}' tokenize failed: ${(err as Error).message}; using the estimator (request ${req.requestId})`);
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
      open: (deadline) => this.send(req, true, deadline),
      replayJson: async (res, deadline) => {
        const parsed = parseChatCompletion(await this.readJson(res, deadline), req.upstreamModel);
        if (!parsed) throw invalidResponse(this.errCtx, 'the body has no choices');
        return responseToEvents(parsed);
      },
      decoder: () => new ChatStreamDecoder(this.errCtx, req.upstreamModel, req.requestId),
    });
  }

  /** Reads a whole JSON body; an `{"error":...}` body (some servers answer 200 with one) becomes a GatewayError. */
  private async readJson(res: Dispatcher.ResponseData, deadline: RequestDeadline): Promise<unknown> {
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw transportError(err, this.errCtx, deadline, true);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidResponse(this.errCtx, 'the body is not JSON');
    }
    if (json && typeof json === 'object' && 'error' in json && json.error) throw payloadError(json.error, this.errCtx);
    return json;
  }

  /** Sends the request; resolves with a 2xx response, throws GatewayError otherwise. */
  private async send(req: ProviderRequest, stream: boolean, deadline: RequestDeadline): Promise<Dispatcher.ResponseData> {
    if (this.closed) throw new GatewayError(GatewayErrorCode.UpstreamUnavailable, `Upstream '${this.id}' is shut down`);
    const body = JSON.stringify(
      buildChatBody(req.request, { upstreamModel: req.upstreamModel, stream, supportsImages: this.config.supports_images }),
    );
    if (deadline.signal.aborted) throw transportError(deadline.signal.reason, this.errCtx, deadline, false);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: { ...this.baseHeaders, ...req.traceHeaders, accept: stream ? 'text/event-stream' : 'application/json', 'x-request-id': req.requestId },
        body,
        signal: deadline.signal,
      });
    } catch (err) {
      const error = transportError(err, this.errCtx, deadline, false);
      if (error.code !== GatewayErrorCode.ClientClosed) this.warn(`${error.message} (request ${req.requestId})`);
      throw error;
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const text = await readCapped(res.body, MAX_ERROR_BODY);
    const error = withRetryAfter(httpError(res.statusCode, text, this.errCtx), res.headers['retry-after']);
    if (res.statusCode >= 500 || res.statusCode === 429) this.warn(`${error.message} (request ${req.requestId})`);
    throw error;
  }
}
