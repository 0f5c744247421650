import type { PolicyModel, PolicyRolloutState } from '@gw/policy';

/** `GET …/policies/{id}/rollout`: the configured rollout and the override (a rollback) in force now. */
export interface RolloutResponse {
  policy_id: string;
  configured_mode: PolicyModel['rollout']['mode'];
  /** Canary share 0..100 (100 enforced, 0 shadow). */
  percentage: number;
  override: 'rollback' | null;
  since: string | null;
  until: string | null;
  reason: string | null;
  triggered_by: string | null;
  epoch: number;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function toRolloutResponse(model: PolicyModel, s: PolicyRolloutState): RolloutResponse {
  return {
    policy_id: s.policyId,
    configured_mode: model.rollout.mode,
    percentage: model.rollout.percentage,
    override: s.override,
    since: iso(s.since),
    until: iso(s.until),
    reason: s.reason,
    triggered_by: s.triggeredBy,
    epoch: s.epoch,
  };
}

const nullable = (schema: object) => ({ oneOf: [schema, { type: 'null' }] });

export const ROLLOUT_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    policy_id: { type: 'string' },
    configured_mode: { type: 'string', enum: ['shadow', 'canary', 'enforced'] },
    percentage: { type: 'number' },
    override: nullable({ type: 'string', enum: ['rollback'] }),
    since: nullable({ type: 'string', format: 'date-time' }),
    until: nullable({ type: 'string', format: 'date-time' }),
    reason: nullable({ type: 'string' }),
    triggered_by: nullable({ type: 'string' }),
    epoch: { type: 'integer' },
  },
};

export const ROLLBACK_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: { type: 'string', maxLength: 500 },
    minutes: { type: 'integer', minimum: 1, maximum: 525_600, description: 'Ends by itself after this many minutes; absent or null: until resumed' },
  },
};
