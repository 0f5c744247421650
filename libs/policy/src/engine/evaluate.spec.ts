import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy } from './compile';
import { canaryBucket, evaluate, type EvaluationInput } from './evaluate';
import type { CategoryVerdict } from './types';

const subject = { quotaSubject: 'user-1', target: 'bot' };
const run = (doc: unknown, texts: string[], extra: Partial<EvaluationInput> = {}) =>
  evaluate(compilePolicy(doc), { segments: texts.map((text, messageIndex) => ({ text, messageIndex })), subject, ...extra });
const gen2 = (rules: object, deployment?: object) => ({ policy_id: 'p', config: { rules, ...(deployment ? { deployment } : {}) } });

describe('evaluate', () => {
  it('allows, and reports the policy term (never the user text) for denylist hits', () => {
    assert.equal(run(gen2({ denylist: ['competitor-x'] }), ['hello']).verdict.decision, 'allow');
    const v = run(gen2({ denylist: ['competitor-x'], enforcement_action: 'rewrite' }), ['we beat ＣＯＭＰＥＴＩＴＯＲ - Ｘ']).verdict;
    assert.deepEqual([v.decision, v.effective_decision, v.enforced, v.reason_code, v.denylist_hits], ['rewrite', 'rewrite', true, 'REWRITE', ['competitor-x']]);
    assert.deepEqual(v.findings, [{ kind: 'denylist', type: 'competitor-x', where: 'input', message_index: 0, start: 8, end: 22 }]);
  });

  it('forces refuse when an allowlist has no hit (spec §4.2), and reports allowlist hits', () => {
    const doc = gen2({ allowlist: ['refund policy'], enforcement_action: 'rewrite' });
    assert.equal(run(doc, ['tell me a joke']).verdict.decision, 'refuse');
    const ok = run(doc, ['what is the REFUND  policy?']).verdict;
    assert.deepEqual([ok.decision, ok.allowlist_hits], ['allow', ['refund policy']]);
  });

  it('the strongest decision wins when several rules fire', () => {
    const v = run(gen2({ allowlist: ['x'], denylist: ['bad'], enforcement_action: 'escalate' }), ['bad words']).verdict;
    assert.equal(v.decision, 'refuse');
  });

  it('redacts PII with typed, numbered placeholders; the same value keeps its number across messages', () => {
    const e = run(gen2({ redact_pii: true }), ['mail Bob@Example.com or bob@example.com, card 4111 1111 1111 1111', 'again 4111111111111111 and ann@example.org']);
    assert.equal(e.verdict.decision, 'redact');
    assert.equal(e.verdict.reason_code, 'REDACT');
    assert.deepEqual(e.redacted, ['mail [EMAIL_1] or [EMAIL_1], card [CREDIT_CARD_1]', 'again [CREDIT_CARD_1] and [EMAIL_2]']);
    assert.deepEqual(e.verdict.redaction_counts, { EMAIL: 3, CREDIT_CARD: 2 });
  });

  it('shadow mode evaluates everything but enforces nothing (no redaction either)', () => {
    const e = run(gen2({ denylist: ['bad'], redact_pii: true }, { enabled: false }), ['bad bob@example.com']);
    assert.deepEqual([e.verdict.decision, e.verdict.effective_decision, e.verdict.enforced, e.verdict.rollout_mode], ['refuse', 'allow', false, 'shadow']);
    assert.deepEqual(e.redacted, [null]);
    assert.equal(e.verdict.findings.length, 2);
  });

  it('canary selection is sticky per subject and close to the percentage', () => {
    const compiled = compilePolicy(gen2({ denylist: ['bad'] }, { enabled: true, percentage: 30 }));
    let enforced = 0;
    for (let i = 0; i < 2000; i++) {
      const s = { quotaSubject: `user-${i}`, target: null };
      const a = evaluate(compiled, { segments: [{ text: 'bad', messageIndex: 0 }], subject: s }).verdict;
      const b = evaluate(compiled, { segments: [{ text: 'bad', messageIndex: 0 }], subject: s }).verdict;
      assert.equal(a.enforced, b.enforced, 'sticky');
      assert.equal(a.rollout_mode, 'canary');
      if (a.enforced) enforced++;
    }
    assert.ok(enforced > 500 && enforced < 700, `${enforced}/2000 enforced at 30 %`);
    assert.notEqual(canaryBucket('stored:p@1', 'u'), canaryBucket('stored:p@2', 'u'), 'a new version re-samples');
    // Pinned: SHA-256(key, 0x00, subject as UTF-8), first 4 bytes big-endian, mod 10,000. An upgrade must not move
    // a subject in or out of a running canary.
    assert.deepEqual([canaryBucket('stored:p@1', 'u'), canaryBucket('stored:p@2', 'caf\u00e9-user')], [7899, 6413]);
  });

  it('categories: only the ones the policy flags trigger; an unavailable classifier fails closed unless fail-open', () => {
    const verdicts: CategoryVerdict[][] = [[{ category: 'hate', score: 0.9, flagged: true, spans: [{ start: 0, end: 4 }] }, { category: 'sexual', score: 0.9, flagged: true }]];
    const v = run(gen2({ flagged_categories: ['hate'], enforcement_action: 'block' }), ['text'], { verdicts }).verdict;
    assert.deepEqual([v.decision, v.triggered_categories], ['refuse', ['hate']]);
    assert.deepEqual(v.findings, [{ kind: 'category', type: 'hate', where: 'input', message_index: 0, start: 0, end: 4 }]);
    const closed = run(gen2({ flagged_categories: ['hate'] }), ['text'], { verdicts: 'unavailable' }).verdict;
    assert.deepEqual([closed.decision, closed.classifier.status, closed.classifier.failedOpen], ['refuse', 'unavailable', false]);
    const open = run(gen2({ flagged_categories: ['hate'], classifier_fail_open: true }), ['text'], { verdicts: 'unavailable' }).verdict;
    assert.deepEqual([open.decision, open.classifier.failedOpen], ['allow', true]);
  });

  it('pii/* categories are served by the detectors and trigger the action', () => {
    const v = run(gen2({ flagged_categories: ['pii/ssn'], enforcement_action: 'escalate' }), ['my ssn is 536-22-1234']).verdict;
    assert.deepEqual([v.decision, v.triggered_categories], ['escalate', ['pii/ssn']]);
  });

  it('honours custom reason codes', () => {
    const v = run({ rules: { denylist: ['bad'], reason_codes: ['REFUSE_COMPLIANCE'] } }, ['bad']).verdict;
    assert.equal(v.reason_code, 'REFUSE_COMPLIANCE');
  });
});

describe('evaluate on hostile input', () => {
  it('scans 1 MiB adversarial texts with 1,000 terms and every detector in well under a second each', () => {
    const terms = Array.from({ length: 1000 }, (_, i) => `${'a '.repeat(i % 50)}term ${i}`);
    const policy = compilePolicy({ config: { rules: { denylist: terms, redact_pii: true } } });
    const hostile = [
      'a '.repeat(1 << 19),
      '1-'.repeat(1 << 19),
      '4111 '.repeat(1 << 18),
      'a@'.repeat(1 << 19),
      ':'.repeat(1 << 20),
      '\uD800x'.repeat(1 << 19),
      'e\u0301\u200B'.repeat(1 << 18),
      '-----BEGIN RSA PRIVATE KEY-----'.repeat(1 << 15),
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`.repeat(20),
    ];
    for (const text of hostile) {
      const t0 = performance.now();
      evaluate(policy, { segments: [{ text, messageIndex: 0 }], subject });
      const ms = performance.now() - t0;
      assert.ok(ms < 900, `${JSON.stringify(text.slice(0, 12))}…: ${ms.toFixed(0)} ms`);
    }
  });
});
