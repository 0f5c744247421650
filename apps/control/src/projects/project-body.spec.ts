import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isProjectId, projectIdFromName, type ProjectFields } from '@gw/policy';
import { createFields, parseCreateProject, parsePatchProject, patchedFields } from './project-body';

const invalid = (message: string, param: string) => Object.assign(new Error(message), { param });
const paramOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { param?: string }).param;
  }
  assert.fail('expected a 400');
};

describe('project ids from names', () => {
  it('slugs the name into a valid proj_ id, or null when nothing is left', () => {
    assert.equal(projectIdFromName('Support bot'), 'proj_support_bot');
    assert.equal(projectIdFromName('  Support Bot — EU!  '), 'proj_support_bot_eu');
    assert.equal(projectIdFromName('Café Crème'), 'proj_cafe_creme');
    assert.equal(projectIdFromName('!!!'), null);
    const long = projectIdFromName('a'.repeat(57) + ' b' + 'c'.repeat(100))!;
    assert.ok(long.length <= 63 && isProjectId(long) && !long.endsWith('_'), long);
  });
});

describe('project bodies', () => {
  it('maps the Gen-1 monthly limits onto a monthly budget (0 = no limit), and refuses them with a budget', () => {
    assert.deepEqual(createFields(parseCreateProject({ name: 'x', monthly_token_limit: 10 }), invalid).budget, { requests: 0, tokens: 10, window: 'monthly' });
    const both = parseCreateProject({ name: 'x', monthly_request_limit: 1, budget: { requests: 1, tokens: 1, window: 'daily' } });
    assert.equal(paramOf(() => createFields(both, invalid)), 'budget');
  });

  it('names the bad field', () => {
    assert.equal(paramOf(() => parseCreateProject({ name: 'x', budget: { requests: -1, tokens: 0, window: 'daily' } })), 'budget.requests');
    assert.equal(paramOf(() => parseCreateProject({ name: 'x', user_quota: { requests: 1, tokens: 0, window: 'yearly' } })), 'user_quota.window');
    assert.equal(paramOf(() => parseCreateProject({ name: 'x', web_tools: { enabled: true, blocked_domains: ['a'.repeat(254)] } })), 'web_tools.blocked_domains.0');
    const many = Array.from({ length: 1001 }, (_, i) => `d${i}.example.com`);
    assert.equal(paramOf(() => parseCreateProject({ name: 'x', web_tools: { enabled: true, allowed_domains: many } })), 'web_tools.allowed_domains');
    assert.equal(paramOf(() => parseCreateProject({ name: 'x'.repeat(201) })), 'name');
    assert.equal(paramOf(() => parsePatchProject({ project_id: 'proj_x' })), 'project_id');
    assert.equal(paramOf(() => parsePatchProject({ monthly_token_limit: 1 })), 'monthly_token_limit');
  });

  it('a PATCH changes only what it names; null unlinks the policy and clears quotas', () => {
    const current: ProjectFields = {
      name: 'n', description: 'd', status: 'active', policyId: 'p',
      budget: { requests: 1, tokens: 2, window: 'daily' }, userQuota: null, webTools: { enabled: false, allowed_domains: [], blocked_domains: [] },
    };
    assert.deepEqual(patchedFields(current, parsePatchProject({ status: 'disabled' })), { ...current, status: 'disabled' });
    assert.deepEqual(patchedFields(current, parsePatchProject({ policy_id: null, budget: null })), { ...current, policyId: null, budget: null });
    assert.deepEqual(patchedFields(current, parsePatchProject({ web_tools: { enabled: true, allowed_domains: ['a.com'] } })).webTools, { enabled: true, allowed_domains: ['a.com'], blocked_domains: [] });
  });
});
