import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, type Payer } from '@gw/inference';
import { compilePolicy, quotaPlan } from '@gw/policy';
import type { PolicyFields } from './policy-fields';
import { projectPolicyId, resolveProject, type ProjectView } from './project-resolution';

const fields = (over: Partial<PolicyFields> = {}): PolicyFields => ({
  policyId: null,
  inlinePolicy: undefined,
  policyUser: null,
  projectId: null,
  target: null,
  flaggedCategories: null,
  ...over,
});
const ORG = '11111111-1111-1111-1111-111111111111';
const key = (projectId: string | null = null): Payer => ({ kind: 'api_key', orgId: ORG, apiKeyId: 'k1', userId: null, projectId });
const project = (over: Partial<ProjectView> = {}): ProjectView => ({
  projectId: 'proj_a',
  name: 'A',
  status: 'active',
  policyId: 'pol',
  budget: null,
  userQuota: null,
  ...over,
});
const lookup = (rows: ProjectView[]) => ({ get: async (org: string, id: string) => (org === ORG ? (rows.find((r) => r.projectId === id) ?? null) : null) });

async function rejects(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof GatewayError && e.status === status && e.wireCode === code);
}

describe('project resolution (spec §4.6 step 3)', () => {
  it('no header and an unbound credential: no project', async () => {
    assert.equal(await resolveProject(fields(), key(), lookup([project()])), null);
  });

  it("the header names the project; a project key's binding applies without it", async () => {
    assert.equal((await resolveProject(fields({ projectId: 'proj_a' }), key(), lookup([project()])))?.projectId, 'proj_a');
    assert.equal((await resolveProject(fields(), key('proj_a'), lookup([project()])))?.projectId, 'proj_a');
    assert.equal((await resolveProject(fields({ projectId: 'proj_a' }), key('proj_a'), lookup([project()])))?.projectId, 'proj_a');
  });

  it('a project key naming another project, an unknown or foreign project, and a disabled one are 403', async () => {
    const rows = [project(), project({ projectId: 'proj_b' }), project({ projectId: 'proj_off', status: 'disabled' })];
    await rejects(resolveProject(fields({ projectId: 'proj_b' }), key('proj_a'), lookup(rows)), 403, 'project_access_denied');
    await rejects(resolveProject(fields({ projectId: 'proj_zz' }), key(), lookup(rows)), 403, 'project_access_denied');
    await rejects(resolveProject(fields({ projectId: 'proj_a' }), { ...key(), orgId: 'other-org' }, lookup(rows)), 403, 'project_access_denied');
    await rejects(resolveProject(fields({ projectId: 'proj_off' }), key(), lookup(rows)), 403, 'project_disabled');
  });

  it('a lookup failure is a 503, not a 403: the project may well exist', async () => {
    await rejects(resolveProject(fields({ projectId: 'proj_a' }), key(), { get: () => Promise.reject(new Error('db down')) }), 503, 'service_unavailable');
  });
});

describe("the project's policy (step 4)", () => {
  it('is the linked policy; a matching policy_id is fine', () => {
    assert.equal(projectPolicyId(project(), fields()), 'pol');
    assert.equal(projectPolicyId(project(), fields({ policyId: 'pol' })), 'pol');
  });

  it('unlinked, a different policy_id, or an inline policy are 400s naming the field', () => {
    const bad = (p: ProjectView, f: PolicyFields, param: string, message: RegExp) =>
      assert.throws(() => projectPolicyId(p, f), (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === param && message.test(e.message));
    bad(project({ policyId: null }), fields(), 'policy_project_id', /^Project is not linked to a policy$/);
    bad(project(), fields({ policyId: 'other' }), 'policy_id', /uses policy 'pol'/);
    bad(project(), fields({ inlinePolicy: { config: { rules: {} } } }), 'policy', /cannot replace/);
  });
});

describe('quota plan (spec §4.5)', () => {
  const gen2 = compilePolicy({ policy_id: 'p', config: { rules: { denylist: ['x'] } } });
  const gen1 = compilePolicy({
    policy_id: 'g1',
    rules: { denylist: ['x'] },
    org_controls: { user_quotas: true, user_quota: { requests: 5, tokens: 0, window: 'daily' }, project_quota: { requests: 0, tokens: 900, window: 'monthly' } },
  });

  it("the project's budget and user quota, keyed by organisation, project and subject", () => {
    const plan = quotaPlan(ORG, project({ budget: { requests: 10, tokens: 0, window: 'weekly' }, userQuota: { requests: 2, tokens: 100, window: 'daily' } }), gen2, 'alice');
    assert.deepEqual(plan, {
      requests: 1,
      counters: [
        { scope: 'project', key: `{${ORG}}|p|proj_a`, limit: { requests: 10, tokens: 0, window: 'weekly' } },
        { scope: 'user', key: `{${ORG}}|u|proj_a|alice`, limit: { requests: 2, tokens: 100, window: 'daily' } },
      ],
    });
  });

  it('none without limits, without an organisation, or with all-zero limits', () => {
    assert.equal(quotaPlan(ORG, project(), gen2, 'alice'), null);
    assert.equal(quotaPlan(null, project({ userQuota: { requests: 2, tokens: 0, window: 'daily' } }), gen2, 'alice'), null);
    assert.equal(quotaPlan(ORG, project({ budget: { requests: 0, tokens: 0, window: 'daily' } }), gen2, 'alice'), null);
  });

  it('Gen-1 org_controls quotas apply where the project sets none; without a project the user quota is per policy', () => {
    const withProject = quotaPlan(ORG, project(), gen1, 'bob');
    assert.deepEqual(withProject?.counters.map((c) => [c.scope, c.key, c.limit.window]), [
      ['project', `{${ORG}}|p|proj_a`, 'monthly'],
      ['user', `{${ORG}}|u|proj_a|bob`, 'daily'],
    ]);
    const inline = quotaPlan(ORG, null, gen1, 'bob');
    assert.deepEqual(inline?.counters.map((c) => c.key), [`{${ORG}}|u|policy:g1|bob`]);
  });
});
