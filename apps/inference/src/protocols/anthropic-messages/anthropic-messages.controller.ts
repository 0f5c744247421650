import { Controller, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { InferenceService } from '@gw/inference';
import { ProtocolHandler } from '../shared/protocol-handler';

/** STUB (issue #4 in progress): POST /v1/messages, POST /v1/messages/count_tokens. */
@ApiTags('Anthropic Messages')
@Controller()
export class AnthropicMessagesController {
  constructor(
    readonly handler: ProtocolHandler,
    readonly inference: InferenceService,
    @Inject(GATEWAY_CONFIG) readonly config: GatewayConfig,
  ) {}
}
