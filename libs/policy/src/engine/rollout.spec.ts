import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, type CompiledPolicy } from './compile';
import { evaluate } from './evaluate';
import type { AutoRollbackSpec } from './model';
import { bucketOf, effectiveRollout, judgeWindow, noRollout, rollout, windowBuckets } from './rollout';

const canaryDoc = (percentage: number) => ({ name: 'canary', config: { rules: { denylist: ['bad'] }, deployment: { enabled: true, percentage } } });
const stored = (doc: unknown, version = 1) => compilePolicy(doc, { policyId: 'support-bot', version });
const subjects = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
const judge = (policy: CompiledPolicy, quotaSubject: string, target: string | null = null) =>
  evaluate(policy, { segments: [{ text: 'a bad request', messageIndex: 0 }], subject: { quotaSubject, target } }).verdict;

describe('rollout', () => {
  for (const pct of [5, 20, 50]) {
    it(`canary at ${pct}%: 10,000 subjects, enforced share within ±2 points; sticky across evaluations and replicas`, () => {
      const replicaA = stored(canaryDoc(pct));
      const replicaB = stored(canaryDoc(pct)); // compiled separately, as another replica would
      assert.notEqual(replicaA, replicaB);
      let enforced = 0;
      for (const s of subjects) {
        const v = judge(replicaA, s);
        assert.equal(v.rollout_mode, 'canary');
        assert.equal(v.decision, 'refuse', 'every check runs whatever the treatment');
        assert.equal(v.effective_decision, v.enforced ? 'refuse' : 'allow');
        if (v.enforced) enforced++;
        assert.equal(judge(replicaA, s).enforced, v.enforced, `${s}: same treatment on the next request`);
        assert.equal(judge(replicaB, s).enforced, v.enforced, `${s}: same treatment on another replica`);
      }
      const share = (enforced / subjects.length) * 100;
      assert.ok(Math.abs(share - pct) <= 2, `enforced share ${share}% vs ${pct}%`);
    });
  }

  it('a new version reshuffles who is in the canary (the share stays)', () => {
    const v1 = stored(canaryDoc(50), 1);
    const v2 = stored(canaryDoc(50), 2);
    let changed = 0;
    let enforced2 = 0;
    for (const s of subjects) {
      const a = rollout(v1, { quotaSubject: s, target: null }).enforced;
      const b = rollout(v2, { quotaSubject: s, target: null }).enforced;
      if (a !== b) changed++;
      if (b) enforced2++;
    }
    // Independent draws at 50% disagree for about half of the subjects.
    assert.ok(changed > 4_000 && changed < 6_000, `${changed} subjects changed treatment`);
    assert.ok(Math.abs(enforced2 / 100 - 50) <= 2);
  });

  it('shadow runs every check and never acts; a rollback does the same to any configured mode', () => {
    const doc = (deployment: object) => ({ name: 'p', config: { rules: { denylist: ['bad'], redact_pii: true }, deployment } });
    const input = { segments: [{ text: 'bad: mail bob@example.com', messageIndex: 0 }], subject: { quotaSubject: 'u', target: null } };
    const shadow = evaluate(stored(doc({ enabled: false })), input);
    const enforced = evaluate(stored(doc({ enabled: true, percentage: 100 })), input);
    const rolledBack = evaluate(stored(doc({ enabled: true, percentage: 100 })), { ...input, rollout: { override: 'rollback' } });
    const fields = (e: typeof shadow) => [e.verdict.decision, e.verdict.effective_decision, e.verdict.enforced, e.verdict.rollout_mode];
    assert.deepEqual(fields(enforced), ['refuse', 'refuse', true, 'enforced']);
    assert.deepEqual(fields(shadow), ['refuse', 'allow', false, 'shadow']);
    assert.deepEqual(fields(rolledBack), ['refuse', 'allow', false, 'rollback']);
    for (const e of [shadow, rolledBack]) {
      assert.deepEqual(e.verdict.denylist_hits, ['bad']);
      assert.deepEqual(e.verdict.findings.map((f) => f.kind).sort(), ['denylist', 'pii']);
      assert.deepEqual(e.redacted, [null], 'nothing is acted on, redaction included');
    }
    assert.equal(evaluate(stored(doc({ enabled: true, percentage: 100 })), { ...input, rollout: { override: null } }).verdict.rollout_mode, 'enforced');
  });

  it('Gen 1: canary sample_percent and targets; shadow targets; shadow sample_percent does not narrow shadow', () => {
    const gen1 = (ro: object) => stored({ policy_id: 'support-bot', rules: { denylist: ['bad'] }, rollout: ro });
    const canary = gen1({ canary: { enabled: true, sample_percent: 20, targets: ['support-bot'] } });
    const inCanary = subjects.filter((s) => judge(canary, s, 'support-bot').enforced).length;
    assert.ok(Math.abs(inCanary / 100 - 20) <= 2, `${inCanary}`);
    assert.deepEqual([judge(canary, 'u', 'billing').rollout_mode, judge(canary, 'u', 'billing').enforced], ['enforced', true], 'other labels are enforced');
    assert.deepEqual([judge(canary, 'u', null).rollout_mode, judge(canary, 'u', null).enforced], ['enforced', true], 'so are unlabelled requests');

    const shadow = gen1({ shadow: { enabled: true, sample_percent: 20, targets: ['support-bot'] } });
    assert.ok(subjects.every((s) => judge(shadow, s, 'support-bot').rollout_mode === 'shadow' && !judge(shadow, s, 'support-bot').enforced));
    assert.equal(judge(shadow, 'u', 'billing').enforced, true);
    const everywhere = gen1({ shadow: { enabled: true, sample_percent: 20, targets: [] } });
    assert.ok(subjects.every((s) => !judge(everywhere, s, 'anything').enforced), 'shadow never acts, on any subject');
    const rolledBack = rollout(canary, { quotaSubject: 'u', target: 'billing' }, { override: 'rollback' });
    assert.deepEqual(rolledBack, { mode: 'rollback', enforced: false }, 'a rollback covers the labels outside the targets too');
  });

  it('a rollback whose until has passed reads as over at once; an open-ended one holds', () => {
    const rb = { ...noRollout('o', 'p'), override: 'rollback' as const, epoch: 3, since: 1_000, until: 61_000 };
    assert.equal(effectiveRollout(rb, 60_999).override, 'rollback');
    assert.equal(effectiveRollout(rb, 61_000).override, null);
    assert.equal(effectiveRollout(rb, 61_000).epoch, 3, 'the epoch moves only when the expiry is written');
    assert.equal(effectiveRollout({ ...rb, until: null }, 1e15).override, 'rollback');
  });

  it('trips when the window has min_requests and the hit share exceeds the threshold (not at it)', () => {
    const spec: AutoRollbackSpec = { enabled: true, threshold: 0.2, minRequests: 10, windowMinutes: 15, cooldownMinutes: 60, decisions: ['refuse'] };
    assert.equal(judgeWindow(spec, { total: 9, hits: 9 }).trip, false, 'below min_requests');
    assert.equal(judgeWindow(spec, { total: 45, hits: 9 }).trip, false, '20% is not above 20%');
    assert.deepEqual(judgeWindow(spec, { total: 45, hits: 10 }), { total: 45, hits: 10, rate: 10 / 45, trip: true });
    assert.equal(judgeWindow(spec, { total: 10, hits: 3 }).trip, true, 'at min_requests');
    assert.equal(judgeWindow({ ...spec, enabled: false }, { total: 100, hits: 100 }).trip, false);
    assert.equal(judgeWindow(spec, { total: 0, hits: 0 }).rate, 0);
  });

  it('threshold units: Gen-1 rollback_threshold is a fraction, Gen-2 threshold_pct a percent', () => {
    const g1 = stored({ policy_id: 'a', rollout: { rollback_on_spike: true, rollback_threshold: 0.25 } }).model.rollout.autoRollback;
    const g2 = stored({ name: 'b', config: { deployment: { enabled: true, auto_rollback: { enabled: true, threshold_pct: 20 } } } }).model.rollout.autoRollback;
    assert.deepEqual([g1?.threshold, g2?.threshold], [0.25, 0.2]);
  });

  it('buckets: one per minute up to an hour, at most 60 for longer windows', () => {
    const t = Date.UTC(2026, 4, 1, 10, 30, 45);
    const minute = Math.floor(t / 60_000);
    assert.equal(bucketOf(t, 15), minute);
    assert.deepEqual(windowBuckets(minute, 3), [minute - 2, minute - 1, minute]);
    assert.equal(windowBuckets(minute, 60).length, 60);
    const day = windowBuckets(bucketOf(t, 1440), 1440);
    assert.equal(day.length, 60);
    assert.equal(day[1] - day[0], 24, '24-minute buckets for a one-day window');
    assert.equal(bucketOf(t, 1440) % 24, 0);
  });
});
