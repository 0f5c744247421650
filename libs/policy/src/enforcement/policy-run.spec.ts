import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, type ContentClassifier } from '../engine';
import { PolicyRun, type PolicyRunOptions } from './policy-run';

const subject = { policyUser: 'u-7', quotaSubject: 'u-7', target: 'web', projectId: 'p-1' };
const segments = [{ text: 'tell me about the forbidden-term please', messageIndex: 0, role: 'user' }];
const DECISION_KEYS = [
  'policy_id', 'policy_version', 'decision', 'effective_decision', 'reason_code', 'triggered_categories', 'allowlist_hits',
  'denylist_hits', 'rollout_mode', 'enforced', 'policy_target', 'policy_user', 'quota_subject', 'project_id',
];

function options(classifier: ContentClassifier | null, categories: string[] = []): PolicyRunOptions {
  const rules = { denylist: ['forbidden-term'], ...(categories.length ? { flagged_categories: categories } : {}) };
  return { policy: compilePolicy({ policy_id: 'p', config: { rules } }), subject, classifier, holdChars: 64 };
}

describe('PolicyRun: the policy object and the audit block', () => {
  it('share the decision fields; the audit block adds counts, the classifier, the generation and the project label', async () => {
    const run = await PolicyRun.simulate(options(null), segments);
    const shown = run.policyObject();
    assert.deepEqual(Object.keys(shown), DECISION_KEYS);
    assert.equal(shown.decision, 'refuse');
    assert.deepEqual(shown.denylist_hits, ['forbidden-term']);
    assert.equal(shown.policy_user, 'u-7');
    const audit = run.auditFields('Project One').policy as Record<string, unknown>;
    assert.deepEqual(Object.keys(audit), [...DECISION_KEYS, 'redaction_counts', 'classifier', 'generation', 'project_label']);
    for (const k of DECISION_KEYS) assert.deepEqual(audit[k], shown[k], k);
    assert.equal(audit.project_label, 'Project One');
    assert.equal(audit.classifier, run.verdict.classifier);
    assert.ok(!('project_label' in (run.auditFields().policy as object)), 'no project: no label');
    assert.notEqual(run.auditFields().policy, run.auditFields().policy, 'a fresh block per call: callers may add to it');
  });

  it('shows an unavailable classifier in the policy object, and its whole outcome in the audit block', async () => {
    const down: ContentClassifier = { id: 'remote', classify: () => Promise.reject(new Error('connection refused')) };
    const run = await PolicyRun.simulate(options(down, ['violence']), segments);
    assert.equal(run.verdict.classifier.status, 'unavailable');
    const shown = run.policyObject();
    assert.deepEqual(shown.classifier, { id: 'remote', status: 'unavailable', failed_open: run.verdict.classifier.failedOpen === true });
    assert.equal((run.auditFields().policy as Record<string, unknown>).classifier, run.verdict.classifier);
    assert.equal(JSON.parse(run.policyJson()).classifier.status, 'unavailable');
  });
});
