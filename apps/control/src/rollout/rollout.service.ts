import { Inject, Injectable } from '@nestjs/common';
import { IdentityError, managesOrganization, readsOrganization, type Actor } from '@gw/identity';
import {
  effectiveRollout,
  isPolicyId,
  noRollout,
  parsePolicy,
  PolicyRepository,
  PolicyStoreError,
  ROLLOUT_CLOCK,
  RolloutError,
  RolloutStateRepository,
  type Clock,
  type PolicyModel,
} from '@gw/policy';
import { settle } from '../policies/policies.service';
import { historyActor } from '../policies/policy-document';
import { toRolloutResponse, type RolloutResponse } from './rollout.mapper';

const MAX_MINUTES = 525_600;

function requireWriter(actor: Actor): void {
  if (!managesOrganization(actor.role)) throw IdentityError.forbidden('Only owners and admins roll policies back or resume them');
}

function requireReader(actor: Actor): void {
  if (!readsOrganization(actor.role)) throw IdentityError.forbidden('Members cannot read rollout states');
}

/** `{reason?, minutes?}`; anything else is a 400 naming the field. */
export function parseRollbackBody(body: unknown): { reason: string | null; minutes: number | null } {
  if (body === undefined || body === null) return { reason: null, minutes: null };
  if (typeof body !== 'object' || Array.isArray(body)) throw PolicyStoreError.invalid('The body must be a JSON object: {reason?, minutes?}', 'body');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).find((k) => k !== 'reason' && k !== 'minutes');
  if (unknown) throw PolicyStoreError.invalid(`Unknown field '${unknown}': expected {reason?, minutes?}`, unknown);
  if (b.reason !== undefined && b.reason !== null && (typeof b.reason !== 'string' || b.reason.length > 500)) {
    throw PolicyStoreError.invalid("'reason' must be a string of at most 500 characters", 'reason');
  }
  const m = b.minutes;
  if (m !== undefined && m !== null && !(typeof m === 'number' && Number.isInteger(m) && m >= 1 && m <= MAX_MINUTES)) {
    throw PolicyStoreError.invalid(`'minutes' must be an integer from 1 to ${MAX_MINUTES} (or absent: until resumed)`, 'minutes');
  }
  return { reason: typeof b.reason === 'string' ? b.reason : null, minutes: typeof m === 'number' ? m : null };
}

/**
 * Manual rollback and resume of a stored policy, and its rollout state (issue 10 item 6). Owners and admins
 * change, auditors read; another organisation's policy is a 404. A change returns once replicas had the
 * propagation window to read the new state (as policy writes do).
 */
@Injectable()
export class RolloutService {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly rollouts: RolloutStateRepository,
    @Inject(ROLLOUT_CLOCK) private readonly clock: Clock,
  ) {}

  async get(actor: Actor, policyId: string): Promise<RolloutResponse> {
    requireReader(actor);
    const model = await this.model(actor, policyId);
    const state = (await this.rollouts.findState(actor.orgId, policyId)) ?? noRollout(actor.orgId, policyId);
    return toRolloutResponse(model, effectiveRollout(state, this.clock.now()));
  }

  async rollback(actor: Actor, policyId: string, body: unknown): Promise<RolloutResponse> {
    requireWriter(actor);
    const { reason, minutes } = parseRollbackBody(body);
    const model = await this.model(actor, policyId);
    const nowMs = this.clock.now();
    const untilMs = minutes === null ? null : nowMs + minutes * 60_000;
    const state = await this.rollouts.rollback({ orgId: actor.orgId, policyId, actor: historyActor(actor), nowMs, reason, untilMs });
    if (!state) throw RolloutError.active(policyId, (await this.rollouts.findState(actor.orgId, policyId))?.until ?? null);
    await settle();
    return toRolloutResponse(model, state);
  }

  async resume(actor: Actor, policyId: string): Promise<RolloutResponse> {
    requireWriter(actor);
    const model = await this.model(actor, policyId);
    const state = await this.rollouts.resume({ orgId: actor.orgId, policyId, actor: historyActor(actor), nowMs: this.clock.now() });
    if (!state) throw RolloutError.none(policyId);
    await settle();
    return toRolloutResponse(model, state);
  }

  /** The latest version's model of a live policy of the actor's organisation (404 otherwise). */
  private async model(actor: Actor, policyId: string): Promise<PolicyModel> {
    const row = isPolicyId(policyId) ? await this.policies.findLatest(actor.orgId, policyId) : null;
    if (!row) throw PolicyStoreError.notFound(policyId);
    return parsePolicy(row.document);
  }
}

