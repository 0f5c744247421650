import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { DeferRateLimit } from '@gw/metering';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { InferenceService, type CanonicalRequest } from '@gw/inference';
import { PolicyStage } from '../../policy/policy-stage';
import { ProtocolHandler, type ProtocolAdapter } from '../shared/protocol-handler';
import { createMessagesAdapter, parseMessages, type MessagesMeta } from './anthropic-messages.adapter';
import { messagesSchema } from './anthropic-messages.schema';

/** Says where a `count_tokens` figure came from: the model's tokenizer, the upstream's, or the estimator. */
export const TOKEN_COUNT_SOURCE_HEADER = 'x-gateway-token-count-source';

/**
 * POST /v1/messages and /v1/messages/count_tokens (Anthropic SDKs and Claude Code; base URL without
 * `/v1`). `anthropic-version` is tolerated and ignored; `anthropic-beta` is forwarded to Anthropic upstreams
 * only (others ignore it). The query string is ignored too (Claude Code posts to `/v1/messages?beta=true`):
 * Fastify routes on the path alone.
 */
@ApiTags('Anthropic Messages')
@Controller()
export class AnthropicMessagesController {
  private readonly adapter: ProtocolAdapter<MessagesMeta>;

  constructor(
    readonly handler: ProtocolHandler,
    readonly inference: InferenceService,
    @Inject(GATEWAY_CONFIG) readonly config: GatewayConfig,
    private readonly policy: PolicyStage,
  ) {
    this.adapter = createMessagesAdapter(config.env.MESSAGES_DEFAULT_MAX_TOKENS);
  }

  @Post(['v1/messages', 'policy/messages', 'policy/v1/messages'])
  @DeferRateLimit()
  @HttpCode(200)
  @ApiOperation({ operationId: 'createMessage', summary: 'Anthropic-compatible message (JSON or SSE stream)' })
  @ApiBody({ schema: messagesSchema as object })
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.policy.enter(req);
    return this.handler.handle(this.adapter, req, reply);
  }

  /** Free (no credits), audited once by the service. Errors go to the global filter (Anthropic envelope). */
  @Post(['v1/messages/count_tokens', 'policy/messages/count_tokens', 'policy/v1/messages/count_tokens'])
  @HttpCode(200)
  @ApiOperation({ operationId: 'countMessageTokens', summary: 'Input tokens of a Messages request, as the target model counts them' })
  @ApiBody({ schema: messagesSchema as object })
  async countTokens(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ input_tokens: number }> {
    await this.policy.enter(req);
    const ctx = ProtocolHandler.openContext(req, reply, 'messages.count_tokens');
    let canonical: CanonicalRequest;
    try {
      canonical = parseMessages(req.body, this.config.env.MESSAGES_DEFAULT_MAX_TOKENS, req.headers);
    } catch (err) {
      this.inference.reportRejected(ctx, ProtocolHandler.claimed(req.body).model, false, err);
      throw err;
    }
    const count = await this.inference.countTokens(canonical, ctx);
    void reply.header(TOKEN_COUNT_SOURCE_HEADER, count.source);
    return { input_tokens: count.inputTokens };
  }
}
