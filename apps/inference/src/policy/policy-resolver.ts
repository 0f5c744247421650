import { Inject, Injectable, Optional } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { GatewayError, GatewayErrorCode, type Payer, type QuotaPlan } from '@gw/inference';
import {
  compilePolicy,
  PolicyValidationError,
  quotaPlan,
  STORED_POLICIES,
  type ActivePolicy,
  type CompiledPolicy,
  type PolicyRolloutState,
  type PolicySubject,
  type StoredPolicies,
} from '@gw/policy';
import type { PolicyFields } from './policy-fields';
import { PROJECTS, projectPolicyId, resolveProject, type ProjectLookup, type ProjectView } from './project-resolution';

/** What the policy stage decided to apply to one request. */
export interface ResolvedPolicy {
  /** `/policy/*`: the decision is reported (the `policy` object); `/v1/*`: only an inline policy, silently applied. */
  surface: 'policy' | 'v1';
  policy: CompiledPolicy | null;
  /** A stored policy's rollout state (a rollback holds it in shadow); null for inline policies. */
  rollout: PolicyRolloutState | null;
  /** Per-request `flagged_categories` (`/v1/*`), compiled as a categories-only policy. */
  flagged: CompiledPolicy | null;
  subject: PolicySubject;
  /** The project the request resolved to (`/policy/*`; spec §4.6 step 3). */
  project: ProjectView | null;
  /** Its quotas, held with the credits at admission. */
  quota: QuotaPlan | null;
}

/** Always blocked when a `/v1/*` request names `flagged_categories` (spec §3.1). */
const ALWAYS_FLAGGED = ['self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual/minors'];

/**
 * Resolves the project and policy of a request (spec §4.6): the project (header, else the key's binding) and its
 * policy; without a project, an inline `policy`, else `policy_id` → the latest stored version (404
 * `policy_not_found`). Then the request's quotas. Inline policies and `flagged_categories` sets are compiled once
 * and kept by content.
 */
@Injectable()
export class PolicyResolver {
  private readonly inline = new Map<string, CompiledPolicy>();
  private readonly cacheSize: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Optional() @Inject(STORED_POLICIES) private readonly stored: StoredPolicies | null,
    @Optional() @Inject(PROJECTS) private readonly projects: ProjectLookup | null,
  ) {
    this.cacheSize = config.env.POLICY_INLINE_CACHE_SIZE;
  }

  async resolve(surface: 'policy' | 'v1', fields: PolicyFields, payer: Payer | undefined): Promise<ResolvedPolicy | null> {
    const quotaSubject = fields.policyUser ?? payer?.userId ?? payer?.apiKeyId ?? null;
    const flagged = fields.flaggedCategories ? this.flaggedPolicy(fields.flaggedCategories) : null;
    if (surface === 'v1') {
      const subject: PolicySubject = { policyUser: fields.policyUser, quotaSubject, target: fields.target, projectId: null };
      const policy = fields.inlinePolicy !== undefined ? this.compileInline(fields.inlinePolicy) : null;
      return policy || flagged ? { surface, policy, rollout: null, flagged, subject, project: null, quota: null } : null;
    }
    const project = await resolveProject(fields, payer, this.projects);
    let policy: CompiledPolicy;
    let rollout: PolicyRolloutState | null = null;
    if (project) ({ policy, rollout } = await this.storedPolicy(payer, projectPolicyId(project, fields)));
    else if (fields.inlinePolicy !== undefined) policy = this.compileInline(fields.inlinePolicy);
    else if (fields.policyId) ({ policy, rollout } = await this.storedPolicy(payer, fields.policyId));
    else if (payer?.kind === 'user') {
      throw GatewayError.invalid("'X-Policy-Project' is required with a login token (JWT): name the project, or send 'policy_id' or an inline 'policy'.", 'X-Policy-Project');
    } else {
      throw GatewayError.invalid("No policy for this request: use a project key, send 'X-Policy-Project', 'policy_id' (a stored policy) or an inline 'policy'.", 'policy_id');
    }
    const subject: PolicySubject = { policyUser: fields.policyUser, quotaSubject, target: fields.target, projectId: project?.projectId ?? null };
    return { surface, policy, rollout, flagged, subject, project, quota: quotaPlan(payer?.orgId ?? null, project, policy, quotaSubject) };
  }

  private async storedPolicy(payer: Payer | undefined, policyId: string): Promise<ActivePolicy> {
    if (!payer?.orgId || !this.stored) throw policyNotFound(policyId);
    try {
      return await this.stored.getLatestWithRollout(payer.orgId, policyId);
    } catch (err) {
      if ((err as { code?: string })?.code === 'policy_not_found') throw policyNotFound(policyId);
      throw new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Policies are temporarily unavailable; retry shortly.', {
        status: 503,
        wireCode: 'service_unavailable',
        retryAfterSeconds: 1,
        cause: err,
      });
    }
  }

  private compileInline(doc: unknown): CompiledPolicy {
    const key = JSON.stringify(doc);
    const hit = this.inline.get(key);
    if (hit) {
      this.inline.delete(key); // LRU: most recent last
      this.inline.set(key, hit);
      return hit;
    }
    let compiled: CompiledPolicy;
    try {
      compiled = compilePolicy(doc, { sizeBytes: Buffer.byteLength(key) });
    } catch (err) {
      if (err instanceof PolicyValidationError) {
        const first = err.issues[0]?.path ?? '';
        throw new GatewayError(GatewayErrorCode.InvalidRequest, err.message, { wireCode: 'invalid_policy', param: `policy${first.replace(/\//g, '.')}` });
      }
      throw err;
    }
    this.remember(key, compiled);
    return compiled;
  }

  private flaggedPolicy(categories: string[]): CompiledPolicy {
    const wanted = [...new Set([...ALWAYS_FLAGGED, ...categories])].sort();
    const key = `flagged:${wanted.join(',')}`;
    let compiled = this.inline.get(key);
    if (!compiled) {
      try {
        compiled = compilePolicy({ policy_id: 'flagged_categories', config: { rules: { flagged_categories: wanted, enforcement_action: 'block' } } });
      } catch (err) {
        const issue = err instanceof PolicyValidationError ? err.issues[0] : undefined;
        const index = issue ? Number(/flagged_categories\/(\d+)/.exec(issue.path)?.[1] ?? 0) : 0;
        throw GatewayError.invalid(`Invalid value for 'flagged_categories': unknown category '${wanted[index] ?? ''}'.`, 'flagged_categories');
      }
      this.remember(key, compiled);
    }
    return compiled;
  }

  private remember(key: string, compiled: CompiledPolicy): void {
    if (this.cacheSize === 0) return;
    if (this.inline.size >= this.cacheSize) this.inline.delete(this.inline.keys().next().value!);
    this.inline.set(key, compiled);
  }
}

function policyNotFound(policyId: string): GatewayError {
  return new GatewayError(GatewayErrorCode.NotFound, `Policy '${policyId}' was not found.`, { wireCode: 'policy_not_found', param: 'policy_id' });
}
