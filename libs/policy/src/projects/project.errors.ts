/** A project API error in the control plane's shape (`statusCode`, `code`, `param`), rendered by the global filter. */
export class ProjectError extends Error {
  readonly status: number;

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ProjectError';
    this.status = statusCode;
  }

  /** Also for other organisations' projects (a 403 would confirm they exist); the id is echoed only when well formed. */
  static notFound(projectId: string): ProjectError {
    const shown = /^proj_[a-z0-9][a-z0-9_]{0,62}$/.test(projectId) ? ` '${projectId}'` : '';
    return new ProjectError(404, 'project_not_found', `No project${shown} in your organisation`, 'project_id');
  }

  static exists(projectId: string): ProjectError {
    return new ProjectError(409, 'project_exists', `A project with id '${projectId}' already exists; PATCH /api/policy-gateway/projects/${projectId} changes it`, 'project_id');
  }

  static inUse(projectId: string, keys: number): ProjectError {
    return new ProjectError(409, 'project_in_use', `Project '${projectId}' has ${keys} key(s) (revoked ones included: they stay for audit); disable it instead`, 'project_id');
  }

  static disabled(projectId: string): ProjectError {
    return new ProjectError(409, 'project_disabled', `Project '${projectId}' is disabled; enable it before creating keys`, 'project_id');
  }

  static keyNotFound(): ProjectError {
    return new ProjectError(404, 'key_not_found', 'No such key in this project', 'key_id');
  }

  static unknownPolicy(policyId: string): ProjectError {
    const shown = /^[a-z0-9][a-z0-9_.-]{0,127}$/.test(policyId) ? ` '${policyId}'` : '';
    return new ProjectError(400, 'invalid_value', `Invalid 'policy_id': no live policy${shown} in your organisation`, 'policy_id');
  }

  static preconditionFailed(projectId: string, current: number): ProjectError {
    return new ProjectError(412, 'precondition_failed', `Project '${projectId}' is at revision ${current} (ETag "${current}"); If-Match did not match. Read it again and retry with its current ETag`, 'If-Match');
  }

  static invalid(message: string, param: string): ProjectError {
    return new ProjectError(400, 'invalid_value', message, param);
  }
}
