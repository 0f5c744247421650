/** Wire codes of the stored-policy errors (the inference app maps `policy_not_found` to its own 404). */
export type PolicyStoreErrorCode = 'policy_not_found' | 'policy_version_not_found' | 'policy_exists' | 'invalid_value' | 'precondition_failed' | 'config_not_found' | 'invalid_cursor';

const STATUS: Record<PolicyStoreErrorCode, number> = {
  policy_not_found: 404,
  policy_version_not_found: 404,
  policy_exists: 409,
  invalid_value: 400,
  precondition_failed: 412,
  config_not_found: 404,
  invalid_cursor: 400,
};

/**
 * An error of the policy store, shaped for the control app's renderer (`statusCode`, `code`, `param`) and
 * recognisable by its `code` alone, so the inference app needs no import of this class to map it.
 */
export class PolicyStoreError extends Error {
  readonly statusCode: number;
  readonly status: number;

  constructor(
    readonly code: PolicyStoreErrorCode,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'PolicyStoreError';
    this.statusCode = STATUS[code];
    this.status = this.statusCode;
  }

  /**
   * Also for other organisations' policies (never a 403, which would confirm they exist). The id is echoed only
   * when it is a well-formed slug: never arbitrary caller text in a message.
   */
  static notFound(policyId: string): PolicyStoreError {
    const shown = /^[a-z0-9][a-z0-9_.-]{0,127}$/.test(policyId) ? ` '${policyId}'` : '';
    return new PolicyStoreError('policy_not_found', `No policy${shown} in your organisation`, 'policy_id');
  }

  static versionNotFound(policyId: string, version: number): PolicyStoreError {
    return new PolicyStoreError('policy_version_not_found', `Policy '${policyId}' has no version ${version}`, 'version');
  }

  static exists(policyId: string): PolicyStoreError {
    return new PolicyStoreError('policy_exists', `A policy with id '${policyId}' already exists; PUT /api/policy-gateway/policies/${policyId} saves a new version`, 'policy_id');
  }

  /** `If-Match` named another version than the current one (`current` null: the policy does not exist or was deleted). */
  static preconditionFailed(policyId: string, current: number | null): PolicyStoreError {
    const now = current === null ? 'does not exist (or was deleted)' : `is at version ${current} (ETag "${current}")`;
    return new PolicyStoreError('precondition_failed', `Policy '${policyId}' ${now}; If-Match did not match. Read it again and retry with its current ETag`, 'If-Match');
  }

  static invalid(message: string, param: string): PolicyStoreError {
    return new PolicyStoreError('invalid_value', message, param);
  }
}

export function isPolicyNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'policy_not_found' || code === 'policy_version_not_found';
}
