import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { DeferRateLimit } from '@gw/metering';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PolicyStage } from '../../policy/policy-stage';
import { ProtocolHandler } from '../shared/protocol-handler';
import { openAIChatAdapter } from './openai-chat.adapter';
import { chatCompletionSchema } from './openai-chat.schema';

@ApiTags('Chat Completions')
@Controller()
export class OpenAIChatController {
  constructor(
    private readonly handler: ProtocolHandler,
    private readonly policy: PolicyStage,
  ) {}

  @Post(['v1/chat/completions', 'policy/chat/completions', 'policy/v1/chat/completions'])
  @DeferRateLimit()
  @HttpCode(200)
  @ApiOperation({ operationId: 'createChatCompletion', summary: 'OpenAI-compatible chat completion (JSON or SSE stream)' })
  @ApiBody({ schema: chatCompletionSchema as object })
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.policy.enter(req);
    return this.handler.handle(openAIChatAdapter, req, reply);
  }
}
