import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { actionRecord, AuditProducer, simulationDetails } from '@gw/audit';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { GatewayError } from '@gw/inference';
import { ClassifierRegistry, parseSimulationBody, simulatePolicy, SimulationInputError, type SimulationResult } from '@gw/policy';
import { takePolicyFields } from './policy-fields';
import { PolicyResolver } from './policy-resolver';

/**
 * `POST /policy/simulate` (and `/policy/v1/simulate`): evaluates a policy (inline or stored) on texts in a
 * surface's shape and answers every finding with its offsets, and the redacted texts. No model call, no credits.
 */
@ApiTags('Policy')
@Controller()
export class PolicySimulateController {
  constructor(
    private readonly resolver: PolicyResolver,
    private readonly classifiers: ClassifierRegistry,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly audit: AuditProducer,
  ) {}

  @Post(['policy/simulate', 'policy/v1/simulate'])
  @HttpCode(200)
  @ApiOperation({ operationId: 'simulatePolicy', summary: 'Evaluate a policy on sample input/output without calling a model' })
  async simulate(@Req() req: FastifyRequest): Promise<SimulationResult> {
    const { body, fields } = takePolicyFields(req.body, req.headers);
    let input;
    try {
      input = parseSimulationBody(body);
    } catch (err) {
      if (err instanceof SimulationInputError) throw GatewayError.invalid(err.message, err.param);
      throw err;
    }
    const resolved = await this.resolver.resolve('policy', fields, req.payer);
    const policy = resolved!.policy!;
    const result = await simulatePolicy(
      {
        policy,
        subject: resolved!.subject,
        classifier: policy.needsClassifier ? this.classifiers.get(policy.model.classifier) : null,
        streamClassify: this.classifiers.streamClassify,
        holdChars: this.config.env.POLICY_STREAM_HOLD_CHARS,
      },
      input,
    );
    const payer = req.payer;
    this.audit.record(actionRecord({
      eventType: 'simulation',
      orgId: payer?.orgId ?? null,
      projectId: resolved!.subject.projectId,
      principal: { kind: payer?.kind ?? 'anonymous', keyId: payer?.apiKeyId ?? null, userId: payer?.userId ?? null },
      action: 'policy.simulate',
      details: simulationDetails(result),
    }));
    return result;
  }
}
