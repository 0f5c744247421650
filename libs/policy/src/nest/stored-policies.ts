import type { CompiledPolicy } from '../engine';
import type { ActivePolicy } from '../store/policy-store';

/**
 * Reads stored policies (latest version, compiled and cached); provided by the policy store module, injected
 * under {@link STORED_POLICIES}. `getLatest` rejects with an error whose `code` is `policy_not_found` for an id
 * the organisation does not have.
 */
export interface StoredPolicies {
  getLatest(orgId: string, policyId: string): Promise<CompiledPolicy>;
  /** The same, with the policy's rollout state (an auto or manual rollback holds it in shadow). */
  getLatestWithRollout(orgId: string, policyId: string): Promise<ActivePolicy>;
}
export const STORED_POLICIES = Symbol('STORED_POLICIES');
