import { Body, Controller, Get, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import { GatewayConfigService, type GatewayConfigResponse } from './gateway-config.service';
import { InvalidPolicyFilter } from './invalid-policy.filter';

const CONFIG = { type: 'object', description: 'A Gen-1 PolicyConfig (spec §4.1.1); a Gen-2 document is refused (use the policies API)' };
const ENVELOPE = {
  type: 'object',
  properties: {
    config: CONFIG,
    created_at: { type: 'string', format: 'date-time', description: "When the organisation's config was first saved" },
    updated_at: { type: 'string', format: 'date-time', description: 'When it last changed' },
  },
};

/** Gen-1 `config` API (spec §3.7): owners and admins save, auditors read, members get 403. */
@ApiTags('Policies')
@ApiBearerAuth()
@UseFilters(InvalidPolicyFilter)
@Controller('api/policy-gateway/config')
export class GatewayConfigController {
  constructor(private readonly config: GatewayConfigService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'savePolicyConfig', summary: 'Save the policy configuration: a new version of its stored policy, and a revision history entry' })
  @ApiBody({ schema: { type: 'object', required: ['config'], properties: { config: CONFIG } } })
  @ApiOkResponse({ schema: ENVELOPE })
  save(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<GatewayConfigResponse> {
    return this.config.save(requireActor(p), body);
  }

  @Get()
  @ApiOperation({ operationId: 'getPolicyConfig', summary: "The organisation's current policy configuration (404 config_not_found)" })
  @ApiOkResponse({ schema: ENVELOPE })
  get(@CurrentPrincipal() p: Principal | undefined): Promise<GatewayConfigResponse> {
    return this.config.get(requireActor(p));
  }
}
