import type { QuotaCounterRef, QuotaPlan } from '@gw/inference';
import type { CompiledPolicy, QuotaSpec } from '../engine';

/** What quotas need of a project: its id and its two quota specs. */
export interface QuotaProject {
  projectId: string;
  budget: QuotaSpec | null;
  userQuota: QuotaSpec | null;
}

/**
 * Counter keys. They start with the organisation in braces, which is also the Redis hash tag, so one script
 * touches every counter of a call atomically on a cluster too. The control plane's usage read-out builds the same.
 */
export const projectQuotaKey = (orgId: string, projectId: string): string => `{${orgId}}|p|${projectId}`;
/** `scope` is the project id, or `policy:<id>` for a Gen-1 user quota applied without a project. */
export const userQuotaKey = (orgId: string, scope: string, subject: string): string => `{${orgId}}|u|${scope}|${subject}`;

const limited = (q: QuotaSpec | null | undefined): q is QuotaSpec => !!q && (q.requests > 0 || q.tokens > 0);

/** The quotas in force for a project (its own, else the Gen-1 `org_controls` of its policy). */
export function effectiveQuotas(project: QuotaProject | null, policy: CompiledPolicy): { project: QuotaSpec | null; user: QuotaSpec | null } {
  const oc = policy.model.orgControls;
  const projectQuota = project ? (project.budget ?? oc.projectQuota) : null;
  const userQuota = project?.userQuota ?? (oc.userQuotas ? oc.userQuota : null);
  return { project: limited(projectQuota) ? projectQuota : null, user: limited(userQuota) ? userQuota : null };
}

/**
 * The quota counters of a request (spec §4.5): the project's budget, and the per-user quota keyed on the quota
 * subject. Gen-1 `org_controls.project_quota` and `user_quota` (with `user_quotas` on) apply where the project sets
 * none; without a project, a Gen-1 user quota is kept per policy. A limit of 0 in a dimension means none there.
 */
export function quotaPlan(orgId: string | null, project: QuotaProject | null, policy: CompiledPolicy, quotaSubject: string | null): QuotaPlan | null {
  if (!orgId) return null;
  const q = effectiveQuotas(project, policy);
  const counters: QuotaCounterRef[] = [];
  if (project && q.project) counters.push({ scope: 'project', key: projectQuotaKey(orgId, project.projectId), limit: q.project });
  if (quotaSubject && q.user) counters.push({ scope: 'user', key: userQuotaKey(orgId, project ? project.projectId : `policy:${policy.policyId}`, quotaSubject), limit: q.user });
  return counters.length ? { counters, requests: 1 } : null;
}
