import { Body, Controller, HttpCode, Inject, Optional, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditActions, simulationDetails } from '@gw/audit';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { CurrentPrincipal, IdentityError, requireActor, Roles, type Principal } from '@gw/identity';
import {
  ClassifierRegistry,
  compilePolicy,
  parseSimulationBody,
  PolicyValidationError,
  simulatePolicy,
  SimulationInputError,
  STORED_POLICIES,
  type CompiledPolicy,
  type SimulationResult,
  type StoredPolicies,
} from '@gw/policy';

import { auditPrincipal } from '../audit/audit-principal';

const POLICY_FIELDS = ['policy', 'policy_id', 'policyId', 'policy_user', 'policy_user_id', 'policy_target'];

/**
 * `POST /api/policy-gateway/simulate` (owners, admins, auditors): the console's simulator. The same evaluation as
 * `/policy/simulate` on the inference plane, for a stored policy of the caller's organisation or an inline one.
 * No model call, no credits.
 */
@ApiTags('Policies')
@ApiBearerAuth()
@Controller('api/policy-gateway')
export class PolicySimulateController {
  constructor(
    private readonly classifiers: ClassifierRegistry,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Optional() @Inject(STORED_POLICIES) private readonly stored: StoredPolicies | null,
    private readonly audit: AuditActions,
  ) {}

  @Post('simulate')
  @HttpCode(200)
  @Roles(['owner', 'admin', 'auditor'])
  @ApiOperation({ operationId: 'simulatePolicyConsole', summary: 'Evaluate a policy on sample input/output: decision, findings with offsets, redacted texts' })
  async simulate(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<SimulationResult> {
    const actor = requireActor(p);
    const b = (body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const rest = Object.fromEntries(Object.entries(b).filter(([k]) => !POLICY_FIELDS.includes(k)));
    let input;
    try {
      input = parseSimulationBody(body === null || typeof body !== 'object' || Array.isArray(body) ? body : rest);
    } catch (err) {
      if (err instanceof SimulationInputError) throw IdentityError.invalid(err.message, err.param);
      throw err;
    }
    const policy = await this.policyOf(actor.orgId, b);
    const label = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 256 ? v : null);
    const policyUser = label(b.policy_user ?? b.policy_user_id);
    const result = await simulatePolicy(
      {
        policy,
        subject: { policyUser, quotaSubject: policyUser ?? actor.userId, target: label(b.policy_target), projectId: null },
        classifier: policy.needsClassifier ? this.classifiers.get(policy.model.classifier) : null,
        streamClassify: this.classifiers.streamClassify,
        holdChars: this.config.env.POLICY_STREAM_HOLD_CHARS,
      },
      input,
    );
    await this.audit.record({ eventType: 'simulation', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'policy.simulate', details: simulationDetails(result) });
    return result;
  }

  private async policyOf(orgId: string, b: Record<string, unknown>): Promise<CompiledPolicy> {
    if (b.policy !== undefined) {
      try {
        return compilePolicy(b.policy);
      } catch (err) {
        if (err instanceof PolicyValidationError) throw new IdentityError('invalid_request', 'invalid_policy', err.message, { param: `policy${(err.issues[0]?.path ?? '').replace(/\//g, '.')}` });
        throw err;
      }
    }
    const id = b.policy_id ?? b.policyId;
    if (typeof id !== 'string' || id.length === 0) throw IdentityError.invalid("Send 'policy_id' (a stored policy) or an inline 'policy'.", 'policy_id');
    if (!this.stored) throw new IdentityError('not_found', 'policy_not_found', `Policy '${id.slice(0, 128)}' was not found.`, { param: 'policy_id' });
    try {
      return await this.stored.getLatest(orgId, id);
    } catch (err) {
      if ((err as { code?: string })?.code === 'policy_not_found') throw new IdentityError('not_found', 'policy_not_found', `Policy '${id.slice(0, 128)}' was not found.`, { param: 'policy_id' });
      throw err;
    }
  }
}
