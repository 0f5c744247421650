import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import { GATEWAY_CONFIG } from '@gw/config';
import { CallAbort, GatewayError, InferenceService, type CanonicalRequest, type InferenceContext, type TokenCount } from '@gw/inference';
import { HttpErrorFilter } from '@gw/observability';
import { envelopeFor, renderError, toGatewayError } from '../shared/error-envelope';
import { PolicyStage } from '../../policy/policy-stage';
import { PolicyResolver } from '../../policy/policy-resolver';
import { ProtocolHandler, type ProtocolAdapter } from '../shared/protocol-handler';
import { AnthropicMessagesController, TOKEN_COUNT_SOURCE_HEADER } from './anthropic-messages.controller';

/** Records what the controller hands to its collaborators; the real flow is covered by the lead's e2e. */
const seen = {
  handled: [] as Array<{ url: string; surface: string; maxTokens?: number; headers?: Record<string, string> }>,
  counted: [] as Array<{ request: CanonicalRequest; ctx: InferenceContext; abortedAtCall: boolean }>,
  rejected: [] as Array<{ surface: string; model: string }>,
  reachedAtFilter: [] as boolean[],
  countResult: { inputTokens: 42, source: 'upstream' } as TokenCount | GatewayError,
};

const handlerStub = {
  async handle(adapter: ProtocolAdapter<unknown>, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const ctx = { requestId: req.id, surface: adapter.surface, startedAt: 0, startedAtMs: 0, signal: new AbortController().signal };
    const { canonical } = await adapter.parse(req.body, ctx, req.headers);
    seen.handled.push({ url: req.url, surface: adapter.surface, maxTokens: canonical.maxTokens, headers: canonical.passthrough.headers });
    await reply.status(200).send({ ok: true });
  },
};

const inferenceStub = {
  async countTokens(request: CanonicalRequest, ctx: InferenceContext): Promise<TokenCount> {
    seen.counted.push({ request, ctx, abortedAtCall: ctx.signal.aborted });
    if (seen.countResult instanceof GatewayError) throw seen.countResult;
    return seen.countResult;
  },
  reportRejected(ctx: InferenceContext, model: string): void {
    seen.rejected.push({ surface: ctx.surface, model });
  },
};

@Module({
  controllers: [AnthropicMessagesController],
  providers: [
    { provide: ProtocolHandler, useValue: handlerStub },
    { provide: InferenceService, useValue: inferenceStub },
    { provide: GATEWAY_CONFIG, useValue: { env: { MESSAGES_DEFAULT_MAX_TOKENS: 333 } } },
    // The policy stage as wired (fields taken off the body), with no policy to resolve.
    PolicyStage,
    { provide: PolicyResolver, useValue: { resolve: async () => null } },
  ],
})
class TestModule {}

const HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14' };
const BODY = { model: 'abliterated-model', system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'hi' }] };

describe(AnthropicMessagesController.name, () => {
  let app: NestFastifyApplication;

  before(async () => {
    app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
    // The same rendering path as the real app (create-inference-app.ts), minus auditing.
    const render = (err: unknown, req: FastifyRequest) => {
      seen.reachedAtFilter.push(ProtocolHandler.reached(req));
      return renderError(toGatewayError(err), envelopeFor(req.url), req.id);
    };
    app.useGlobalFilters(new HttpErrorFilter(render, pino({ level: 'silent' })));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  after(() => app.close());
  beforeEach(() => {
    for (const list of [seen.handled, seen.counted, seen.rejected, seen.reachedAtFilter]) list.length = 0;
    seen.countResult = { inputTokens: 42, source: 'upstream' };
  });

  it('routes POST /v1/messages?beta=true to the protocol handler, with the configured default max_tokens', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/messages?beta=true', headers: { ...HEADERS, 'x-api-key': 'ak_secret' }, payload: BODY });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(seen.handled, [{ url: '/v1/messages?beta=true', surface: 'messages', maxTokens: 333, headers: { 'anthropic-beta': HEADERS['anthropic-beta'] } }]);
  });

  it('count_tokens answers {input_tokens} with the source header and a count_tokens context', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/messages/count_tokens?beta=true', headers: { ...HEADERS, 'x-request-id': 'req_ct1' }, payload: BODY });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { input_tokens: 42 });
    assert.equal(res.headers[TOKEN_COUNT_SOURCE_HEADER], 'upstream');
    assert.equal(seen.counted.length, 1);
    const { request, ctx, abortedAtCall } = seen.counted[0];
    assert.equal(ctx.surface, 'messages.count_tokens');
    assert.equal(typeof ctx.requestId, 'string');
    assert.ok(ctx.signal instanceof CallAbort);
    assert.equal(abortedAtCall, false);
    assert.deepEqual(request.messages[0], { role: 'system', content: [{ type: 'text', text: 'sys', cacheControl: { type: 'ephemeral' } }] });
    // The betas travel with the count too (Anthropic's count_tokens rejects beta fields without them), credentials never.
    assert.deepEqual(request.passthrough.headers, { 'anthropic-beta': HEADERS['anthropic-beta'] });
  });

  it('count_tokens rejects a bad body with the Anthropic envelope and reports it once', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/messages/count_tokens', headers: HEADERS, payload: { model: 'm' } });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.deepEqual(body.error, { type: 'invalid_request_error', message: 'messages: Field required' });
    assert.equal(body.type, 'error');
    assert.deepEqual(seen.rejected, [{ surface: 'messages.count_tokens', model: 'm' }]);
    assert.equal(seen.counted.length, 0);
    // The real filter audits only requests the handler never reached; this one is already reported.
    assert.deepEqual(seen.reachedAtFilter, [true]);
  });

  it('count_tokens passes service errors to the filter without reporting them again', async () => {
    seen.countResult = GatewayError.modelNotFound('nope');
    const res = await app.inject({ method: 'POST', url: '/v1/messages/count_tokens', headers: HEADERS, payload: { ...BODY, model: 'nope' } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.type, 'not_found_error');
    assert.deepEqual(seen.rejected, []);
    assert.deepEqual(seen.reachedAtFilter, [true]);
  });
});
