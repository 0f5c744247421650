import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import { ROLLBACK_BODY_SCHEMA, ROLLOUT_RESPONSE_SCHEMA, type RolloutResponse } from './rollout.mapper';
import { RolloutService } from './rollout.service';

/**
 * Rollout state of a stored policy: manual rollback (the policy drops to shadow, `rollout_mode:"rollback"`) and
 * resume, for owners and admins; auditors read. Every transition is a revision history entry.
 */
@ApiTags('Policies')
@ApiBearerAuth()
@Controller('api/policy-gateway/policies')
export class RolloutController {
  constructor(private readonly rollout: RolloutService) {}

  @Get(':policy_id/rollout')
  @ApiOperation({ operationId: 'getPolicyRollout', summary: 'Configured rollout and the rollback in force, if any (404 policy_not_found)' })
  @ApiOkResponse({ schema: ROLLOUT_RESPONSE_SCHEMA })
  get(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string): Promise<RolloutResponse> {
    return this.rollout.get(requireActor(p), id);
  }

  @Post(':policy_id/rollback')
  @HttpCode(200)
  @ApiOperation({ operationId: 'rollbackPolicy', summary: 'Hold the policy in shadow now, for `minutes` or until resumed (409 rollback_active)' })
  @ApiBody({ schema: ROLLBACK_BODY_SCHEMA, required: false })
  @ApiOkResponse({ schema: ROLLOUT_RESPONSE_SCHEMA })
  rollback(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Body() body: unknown): Promise<RolloutResponse> {
    return this.rollout.rollback(requireActor(p), id, body);
  }

  @Post(':policy_id/resume')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resumePolicyRollout', summary: 'End a manual or automatic rollback: back to the configured mode (409 no_rollback)' })
  @ApiOkResponse({ schema: ROLLOUT_RESPONSE_SCHEMA })
  resume(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string): Promise<RolloutResponse> {
    return this.rollout.resume(requireActor(p), id);
  }
}
