/** Wire codes of rollout transitions refused because of the policy's current state. */
export type RolloutErrorCode = 'rollback_active' | 'no_rollback';

/** A 409 shaped for the control app's renderer (`statusCode`, `code`, `param`), like `PolicyStoreError`. */
export class RolloutError extends Error {
  readonly statusCode = 409;
  readonly status = 409;
  readonly param = null;

  constructor(
    readonly code: RolloutErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RolloutError';
  }

  static active(policyId: string, until: number | null): RolloutError {
    const end = until === null ? 'until resumed' : `until ${new Date(until).toISOString()}`;
    return new RolloutError('rollback_active', `Policy '${policyId}' is already rolled back (${end}); POST …/policies/${policyId}/resume ends it`);
  }

  static none(policyId: string): RolloutError {
    return new RolloutError('no_rollback', `Policy '${policyId}' is not rolled back; there is nothing to resume`);
  }
}
