import { Controller, HttpCode, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { DeferRateLimit } from '@gw/metering';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PolicyInterceptor } from '../../policy/policy.interceptor';
import { ProtocolHandler } from '../shared/protocol-handler';
import { openAIChatAdapter } from './openai-chat.adapter';
import { chatCompletionSchema } from './openai-chat.schema';

@ApiTags('Chat Completions')
@Controller()
@UseInterceptors(PolicyInterceptor)
export class OpenAIChatController {
  constructor(private readonly handler: ProtocolHandler) {}

  @Post(['v1/chat/completions', 'policy/chat/completions', 'policy/v1/chat/completions'])
  @DeferRateLimit()
  @HttpCode(200)
  @ApiOperation({ operationId: 'createChatCompletion', summary: 'OpenAI-compatible chat completion (JSON or SSE stream)' })
  @ApiBody({ schema: chatCompletionSchema as object })
  create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handler.handle(openAIChatAdapter, req, reply);
  }
}
