/** A usage read-out error in the control API's shape (`statusCode`, `code`, `param`), rendered by the global filter. */
export class ProjectUsageError extends Error {
  readonly status: number;

  private constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly param: string | null,
  ) {
    super(message);
    this.name = 'ProjectUsageError';
    this.status = statusCode;
  }

  static invalid(message: string, param: string): ProjectUsageError {
    return new ProjectUsageError(400, 'invalid_request', message, param);
  }

  /** Also for other organisations' projects (a 403 would confirm they exist). The id is echoed only when well formed. */
  static notFound(projectId: string): ProjectUsageError {
    const shown = /^proj_[a-z0-9][a-z0-9_]{0,62}$/.test(projectId) ? ` '${projectId}'` : '';
    return new ProjectUsageError(404, 'project_not_found', `No project${shown} in your organisation`, 'project_id');
  }
}
