import { Controller, Delete, Get, HttpCode, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { DeferRateLimit } from '@gw/metering';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, GatewayErrorCode, ResponseStore } from '@gw/inference';
import { PolicyStage } from '../../policy/policy-stage';
import { ProtocolHandler, type ProtocolAdapter } from '../shared/protocol-handler';
import { createResponsesAdapter, type ResponsesMeta } from './openai-responses.adapter';
import { responsesSchema } from './openai-responses.schema';

const notFound = (id: string) => new GatewayError(GatewayErrorCode.NotFound, `Response with id '${id}' not found.`);

/** OpenAI Responses: create (JSON or SSE), and retrieve / delete what `store: true` kept, scoped to the caller's organisation. */
@ApiTags('Responses')
@Controller()
export class OpenAIResponsesController {
  private readonly adapter: ProtocolAdapter<ResponsesMeta>;

  constructor(
    private readonly handler: ProtocolHandler,
    private readonly store: ResponseStore,
    private readonly policy: PolicyStage,
  ) {
    const log = new Logger('Responses');
    this.adapter = createResponsesAdapter(store, undefined, (msg) => log.warn(msg));
  }

  @Post(['v1/responses', 'policy/responses', 'policy/v1/responses'])
  @DeferRateLimit()
  @HttpCode(200)
  @ApiOperation({ operationId: 'createResponse', summary: 'OpenAI-compatible Responses API (JSON or SSE stream)' })
  @ApiBody({ schema: responsesSchema as object })
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.policy.enter(req);
    return this.handler.handle(this.adapter, req, reply);
  }

  @Get('v1/responses/:id')
  @ApiOperation({ operationId: 'getResponse', summary: 'A stored response (store: true), as it was returned' })
  async retrieve(@Param('id') id: string, @Req() req: FastifyRequest): Promise<Record<string, unknown>> {
    const stored = await this.store.load(id, req.payer?.orgId ?? null);
    if (!stored) throw notFound(id);
    return stored.response;
  }

  @Delete('v1/responses/:id')
  @HttpCode(200)
  @ApiOperation({ operationId: 'deleteResponse', summary: 'Deletes a stored response' })
  async remove(@Param('id') id: string, @Req() req: FastifyRequest): Promise<{ id: string; object: 'response.deleted'; deleted: true }> {
    if (!(await this.store.delete(id, req.payer?.orgId ?? null))) throw notFound(id);
    return { id, object: 'response.deleted', deleted: true };
  }
}
