import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy, PolicyValidationError } from './parse-policy';

function issuesOf(doc: unknown): Array<{ path: string; message: string }> {
  try {
    parsePolicy(doc);
  } catch (err) {
    assert.ok(err instanceof PolicyValidationError, String(err));
    return err.issues;
  }
  assert.fail('expected the policy to be refused');
}

const GEN1 = {
  policy_id: 'policy-gateway',
  name: 'Support Policy',
  owner: 'Platform team',
  rules: {
    allowlist: ['refund policy', 'account support'],
    denylist: ['illegal instructions'],
    redact: true,
    rewrite_instead_of_refuse: true,
    response_pattern: 'rewrite',
    reason_codes: ['ALLOW', 'REWRITE', 'SUMMARY', 'ESCALATE', 'REFUSE'],
    flagged_categories: ['self-harm', 'self-harm/intent', 'sexual/minors', 'pii/ssn'],
  },
  org_controls: {
    project_keys: true,
    user_quotas: true,
    audit_logs: true,
    data_classification: 'confidential',
    user_quota: { requests: 5000, tokens: 2000000, window: 'daily' },
    project_quota: { requests: 20000, tokens: 10000000, window: 'monthly' },
  },
  rollout: {
    shadow: { enabled: false, sample_percent: 20, targets: [] },
    canary: { enabled: true, sample_percent: 5, targets: ['support-bot'] },
    rollback_on_spike: true,
    rollback_threshold: 0.25,
    rollback_min_requests: 20,
    rollback_window_minutes: 15,
    rollback_cooldown_minutes: 30,
    rollback_decisions: ['refuse', 'escalate'],
  },
  refusal_replacement: { mode: 'rewrite', escalation_path: 'policy-review@example.com' },
};

const GEN2 = {
  name: 'support-bot',
  description: '…',
  classification: 'internal',
  config: {
    rules: {
      allowlist: [],
      denylist: ['competitor-x', 'internal project codename'],
      flagged_categories: ['hate', 'harassment', 'sexual'],
      enforcement_action: 'block',
      escalation_path: 'policy-oncall@acme.com',
      redact_pii: true,
    },
    deployment: {
      enabled: false,
      percentage: 0,
      auto_rollback: { enabled: true, threshold_pct: 20, min_requests: 100, window_minutes: 15, cooldown_minutes: 60, rollback_decisions: ['refuse', 'escalate'] },
    },
  },
};

describe('parsePolicy', () => {
  it("accepts the spec's Gen-1 example and normalises it", () => {
    const m = parsePolicy(GEN1);
    assert.equal(m.generation, 1);
    assert.equal(m.policyId, 'policy-gateway');
    assert.deepEqual(m.denylist, ['illegal instructions']);
    assert.equal(m.action, 'rewrite');
    assert.equal(m.redact, true);
    assert.deepEqual(m.categories, ['self-harm', 'self-harm/intent', 'sexual/minors']);
    assert.deepEqual(m.piiCategories, ['US_SSN']);
    assert.deepEqual(m.rollout, {
      mode: 'canary',
      percentage: 5,
      targets: ['support-bot'],
      autoRollback: { enabled: true, threshold: 0.25, minRequests: 20, windowMinutes: 15, cooldownMinutes: 30, decisions: ['refuse', 'escalate'] },
    });
    assert.equal(m.classification, 'confidential');
    assert.equal(m.escalationPath, 'policy-review@example.com');
    assert.deepEqual(m.orgControls.userQuota, { requests: 5000, tokens: 2000000, window: 'daily' });
  });

  it("accepts the spec's Gen-2 example and normalises it to the same model", () => {
    const m = parsePolicy(GEN2);
    assert.equal(m.generation, 2);
    assert.equal(m.policyId, 'support-bot');
    assert.equal(m.action, 'refuse');
    assert.equal(m.redact, true);
    assert.equal(m.rollout.mode, 'shadow');
    assert.equal(m.rollout.autoRollback?.threshold, 0.2);
    assert.equal(m.classification, 'internal');
    assert.equal(m.escalationPath, 'policy-oncall@acme.com');
  });

  it('maps enforcement actions and rollout modes of both generations (spec §4.1.3, §4.4)', () => {
    const gen2 = (rules: object, deployment?: object) => parsePolicy({ config: { rules, ...(deployment ? { deployment } : {}) } });
    assert.equal(gen2({ enforcement_action: 'summarize' }).action, 'summary');
    assert.equal(gen2({ enforcement_action: 'escalate' }).action, 'escalate');
    assert.equal(gen2({ enforcement_action: 'rewrite' }).action, 'rewrite');
    assert.equal(gen2({}).rollout.mode, 'enforced');
    assert.deepEqual([gen2({}, { enabled: true, percentage: 30 }).rollout.mode, gen2({}, { enabled: true, percentage: 30 }).rollout.percentage], ['canary', 30]);
    assert.equal(gen2({}, { enabled: true, percentage: 100 }).rollout.mode, 'enforced');
    assert.equal(parsePolicy({ rules: { response_pattern: 'summary' } }).action, 'summary');
    assert.equal(parsePolicy({ rules: { rewrite_instead_of_refuse: true } }).action, 'rewrite');
    assert.equal(parsePolicy({ rules: {} }).action, 'refuse');
    assert.equal(parsePolicy({ rollout: { shadow: { enabled: true } } }).rollout.mode, 'shadow');
  });

  it('honours custom reason codes, as a list or a map', () => {
    assert.equal(parsePolicy({ rules: { reason_codes: ['REFUSE_COMPLIANCE', 'ALLOW'] } }).reasonCodes.refuse, 'REFUSE_COMPLIANCE');
    assert.equal(parsePolicy({ config: { rules: { reason_codes: { refuse: 'BLOCKED_BY_LEGAL' } } } }).reasonCodes.refuse, 'BLOCKED_BY_LEGAL');
    assert.equal(parsePolicy({ rules: {} }).reasonCodes.redact, 'REDACT');
  });

  it('lists every bad field as a JSON pointer, not just the first', () => {
    const issues = issuesOf({ rules: { denylist: 'x', redact: 'yes', bogus: 1 }, rollout: { canary: { sample_percent: 150 } } });
    const paths = issues.map((i) => i.path).sort();
    assert.deepEqual(paths, ['/rollout/canary/sample_percent', '/rules/bogus', '/rules/denylist', '/rules/redact']);
    assert.match(issues.find((i) => i.path === '/rules/bogus')!.message, /unknown field/);
    const gen2 = issuesOf({ config: { rules: { enforcement_action: 'nuke', flagged_categories: ['hate', 'nonsense'] } } });
    assert.deepEqual(gen2.map((i) => i.path).sort(), ['/config/rules/enforcement_action', '/config/rules/flagged_categories/1']);
  });

  it('names the limits: 10,000 terms per list, 256 characters per term, 1 MiB per document', () => {
    const many = issuesOf({ rules: { denylist: Array.from({ length: 10_001 }, (_, i) => `t${i}`) } });
    assert.deepEqual(many, [{ path: '/rules/denylist', message: 'too many items; the limit is 10000' }]);
    const long = issuesOf({ rules: { allowlist: ['ok', 'x'.repeat(257)] } });
    assert.deepEqual(long, [{ path: '/rules/allowlist/1', message: 'longer than 256 characters' }]);
    const big = issuesOf({ description: 'x', rules: { denylist: Array.from({ length: 9_000 }, () => 'y'.repeat(200)) } });
    assert.match(big[0].message, /limit is 1048576 bytes/);
    assert.doesNotThrow(() => parsePolicy({ rules: { denylist: Array.from({ length: 10_000 }, (_, i) => `term ${i}`) } }));
  });

  it('refuses a term that is empty once normalised, and non-object documents', () => {
    assert.deepEqual(issuesOf({ rules: { denylist: ['fine', ' \u200B\u200D '] } }), [
      { path: '/rules/denylist/1', message: 'the term is empty once normalised (whitespace or invisible characters only)' },
    ]);
    assert.equal(issuesOf([1, 2])[0].path, '');
    assert.equal(issuesOf('policy')[0].path, '');
  });

  it('reads the audit block of both generations: retain_content and content_retention_days (1..3650)', () => {
    assert.deepEqual(parsePolicy(GEN1).audit, { retainContent: false, contentRetentionDays: null });
    assert.deepEqual(parsePolicy({ ...GEN1, audit: { retain_content: true, content_retention_days: 7 } }).audit, { retainContent: true, contentRetentionDays: 7 });
    assert.deepEqual(parsePolicy({ ...GEN2, audit: { retain_content: true } }).audit, { retainContent: true, contentRetentionDays: null });
    for (const days of [0, 3651, 1.5, '7']) {
      assert.deepEqual(issuesOf({ ...GEN2, audit: { retain_content: true, content_retention_days: days } }).map((i) => i.path), ['/audit/content_retention_days'], String(days));
    }
    assert.deepEqual(issuesOf({ ...GEN1, audit: { retain_contents: true } }).map((i) => i.path), ['/audit/retain_contents'], 'a misspelt field is refused');
  });
});
