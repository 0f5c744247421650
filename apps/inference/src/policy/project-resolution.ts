import { GatewayError, GatewayErrorCode, type Payer } from '@gw/inference';
import type { QuotaSpec } from '@gw/policy';
import type { PolicyFields } from './policy-fields';

/** What the resolver needs of a project (the inference side's cached read of `project`). */
export interface ProjectView {
  projectId: string;
  name: string;
  status: 'active' | 'disabled';
  policyId: string | null;
  budget: QuotaSpec | null;
  userQuota: QuotaSpec | null;
}

/** The project store's read path, cached and invalidated across replicas (ProjectStore in the app). */
export interface ProjectLookup {
  get(orgId: string, projectId: string): Promise<ProjectView | null>;
}

export const PROJECTS = Symbol('PROJECTS');

const denied = (message: string, wireCode: string) =>
  new GatewayError(GatewayErrorCode.PermissionDenied, message, { wireCode, param: 'X-Policy-Project' });

/**
 * Step 3 of spec §4.6: the request's project. `X-Policy-Project` (or `policy_project_id`) names it; a project key's
 * own binding applies otherwise. A project key is for its project only: naming another is a 403, like naming a
 * project of another organisation, or one that does not exist (the two are not told apart, so project ids of other
 * organisations cannot be probed). A disabled project is a 403 too. Null: the request names no project.
 */
export async function resolveProject(fields: PolicyFields, payer: Payer | undefined, projects: ProjectLookup | null): Promise<ProjectView | null> {
  const bound = payer?.projectId ?? null;
  const named = fields.projectId;
  if (!named && !bound) return null;
  if (named && bound && named !== bound) {
    throw denied(`This API key belongs to project '${bound}' and may not be used for project '${named}'.`, 'project_access_denied');
  }
  const id = (named ?? bound)!;
  let project: ProjectView | null = null;
  if (payer?.orgId && projects) {
    try {
      project = await projects.get(payer.orgId, id);
    } catch (err) {
      throw new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Projects are temporarily unavailable; retry shortly.', {
        status: 503,
        wireCode: 'service_unavailable',
        retryAfterSeconds: 1,
        cause: err,
      });
    }
  }
  if (!project) throw denied(`Project '${id}' does not exist in this organisation, or this credential may not use it.`, 'project_access_denied');
  if (project.status !== 'active') throw denied(`Project '${id}' is disabled.`, 'project_disabled');
  return project;
}

/** Step 4 with a project: its policy, which a body `policy_id` may name but not change, and no inline replacement. */
export function projectPolicyId(project: ProjectView, fields: PolicyFields): string {
  if (!project.policyId) {
    throw GatewayError.invalid('Project is not linked to a policy', 'policy_project_id').with({ wireCode: 'project_not_linked' });
  }
  if (fields.policyId && fields.policyId !== project.policyId) {
    throw GatewayError.invalid(`'policy_id' is '${fields.policyId}' but project '${project.projectId}' uses policy '${project.policyId}'; send the project's policy or none.`, 'policy_id');
  }
  if (fields.inlinePolicy !== undefined) {
    // An inline policy replaces a stored one for requests without a project; a project's policy is the admin's, and a
    // caller holding the project's key must not be able to swap it for a permissive one.
    throw GatewayError.invalid(`An inline 'policy' cannot replace the policy of project '${project.projectId}'; omit it, or call without a project.`, 'policy');
  }
  return project.policyId;
}
