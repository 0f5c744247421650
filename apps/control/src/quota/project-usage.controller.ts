import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { CurrentPrincipal, IdentityError, readsOrganization, requireActor, type Principal } from '@gw/identity';
import { QUOTA_STORE, type QuotaCounter, type QuotaStore, type QuotaUsage } from '@gw/metering';
import { effectiveQuotas, ProjectError, projectQuotaKey, STORED_POLICIES, userQuotaKey, type StoredPolicies } from '@gw/policy';
import { DataSource } from 'typeorm';

interface ProjectQuotaRow {
  policy_id: string | null;
  budget: QuotaCounter['limit'] | null;
  user_quota: QuotaCounter['limit'] | null;
}

const SUBJECT = /^[\x20-\x7E\u00A0-\uFFFF]{1,256}$/;

/** One window as the API shows it. */
function toWire(u: QuotaUsage, subject: string | null) {
  return {
    scope: u.scope,
    subject,
    window: u.window.name,
    window_start: new Date(u.window.startMs).toISOString(),
    resets_at: new Date(u.window.resetAtMs).toISOString(),
    requests: u.requests,
    tokens: u.tokens,
  };
}

/**
 * The current quota windows of a project (spec §4.5): its budget and, with `?user=`, one quota subject's user
 * quota, read from the same counters the inference plane holds and settles (Redis, or this process's store in the
 * embedded mode). Quotas a project inherits from its policy's Gen-1 `org_controls` are shown too. Owners, admins
 * and auditors; another organisation's project is a 404.
 */
@ApiTags('Projects')
@ApiBearerAuth()
@Controller('api/policy-gateway/projects')
export class ProjectUsageController {
  private readonly timeZone: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(QUOTA_STORE) private readonly quotas: QuotaStore,
    @Inject(STORED_POLICIES) private readonly policies: StoredPolicies,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.timeZone = config.env.QUOTA_TIMEZONE;
  }

  @Get(':project_id/usage')
  @ApiOperation({ operationId: 'getProjectUsage', summary: "The project's current quota windows: used and held requests and tokens, limits, reset times" })
  @ApiQuery({ name: 'user', required: false, description: 'A quota subject (X-Policy-User, else the user or key id) whose user quota to show as well' })
  @ApiOkResponse({ schema: { type: 'object', properties: { project_id: { type: 'string' }, time_zone: { type: 'string' }, data: { type: 'array', items: { type: 'object' } } } } })
  async usage(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') projectId: string, @Query() query: Record<string, unknown>) {
    const actor = requireActor(p);
    if (!readsOrganization(actor.role)) throw IdentityError.forbidden('Members cannot read project usage');
    const user = query.user;
    if (user !== undefined && (typeof user !== 'string' || !SUBJECT.test(user))) throw new ProjectError(400, 'invalid_request', "'user' must be a quota subject of 1 to 256 printable characters", 'user');
    const [row] = await this.ds.query<ProjectQuotaRow[]>(`SELECT policy_id, budget, user_quota FROM project WHERE org_id = $1 AND project_id = $2`, [actor.orgId, projectId]);
    if (!row) throw ProjectError.notFound(projectId);
    let quotas = { project: row.budget, user: row.user_quota };
    if (row.policy_id) {
      const policy = await this.policies.getLatest(actor.orgId, row.policy_id).catch(() => null);
      if (policy) quotas = effectiveQuotas({ projectId, budget: row.budget, userQuota: row.user_quota }, policy);
    }
    const counters: Array<{ counter: QuotaCounter; subject: string | null }> = [];
    if (quotas.project) counters.push({ counter: { scope: 'project', key: projectQuotaKey(actor.orgId, projectId), limit: quotas.project }, subject: null });
    if (quotas.user && typeof user === 'string') counters.push({ counter: { scope: 'user', key: userQuotaKey(actor.orgId, projectId, user), limit: quotas.user }, subject: user });
    const usage = counters.length ? await this.quotas.usage(counters.map((c) => c.counter)) : [];
    return { project_id: projectId, time_zone: this.timeZone, data: usage.map((u, i) => toWire(u, counters[i].subject)) };
  }
}
