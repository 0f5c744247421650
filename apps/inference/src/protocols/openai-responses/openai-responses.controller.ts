import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ResponseStore } from '@gw/inference';
import { ProtocolHandler } from '../shared/protocol-handler';

/** STUB (issue #4 in progress): POST /v1/responses, GET/DELETE /v1/responses/:id. */
@ApiTags('Responses')
@Controller()
export class OpenAIResponsesController {
  constructor(
    readonly handler: ProtocolHandler,
    readonly store: ResponseStore,
  ) {}
}
