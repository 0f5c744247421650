import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryHash } from '../chain/entry-hash';
import { NO_ORG } from '../chain/record-to-event';
import { epochMs, policyEventPayload } from './payload';
import { chain, enforcementEvent, TEST_ORG } from './testing/events';

/** The fields of spec §4.9.1, in the spec's order, then `audit`. */
const SPEC_FIELDS = [
  'event_id', 'event_type', 'source', 'created_at', 'user_id', 'org_id', 'policy_id', 'policy_name', 'data_classification', 'history_id',
  'decision', 'effective_decision', 'enforced', 'rollout_mode', 'reason_code', 'triggered_categories', 'allowlist_hits', 'denylist_hits',
  'policy_target', 'policy_user', 'quota_subject', 'project_id', 'project_label', 'model',
];

/** Every string in a JSON value. */
const stringsIn = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(stringsIn) : v && typeof v === 'object' ? Object.values(v).flatMap(stringsIn) : [];

describe('policyEventPayload', () => {
  const [event] = chain([enforcementEvent(1)]);

  it('flattens an enforcement event into the spec shape', () => {
    const { audit, ...flat } = policyEventPayload(event);
    assert.deepEqual(flat, {
      event_id: event.event_id,
      event_type: 'enforcement',
      source: 'policy_gateway',
      created_at: event.created_at,
      user_id: 'user_7',
      org_id: TEST_ORG,
      policy_id: 'support-bot',
      policy_name: null,
      data_classification: null,
      history_id: null,
      decision: 'refuse',
      effective_decision: 'allow',
      enforced: false,
      rollout_mode: 'shadow',
      reason_code: 'REFUSE',
      triggered_categories: ['illicit'],
      allowlist_hits: [],
      denylist_hits: ['competitor-1'],
      policy_target: 'support-bot',
      policy_user: 'user_42',
      quota_subject: 'user_42',
      project_id: 'proj_support_bot',
      project_label: 'Support Bot',
      model: 'abliterated-model',
    });
    assert.deepEqual(Object.keys(flat), SPEC_FIELDS);
    assert.equal(audit, event);
  });

  it('carries the whole chained event, whose entry hash a SIEM can recompute', () => {
    const sent = JSON.parse(JSON.stringify(policyEventPayload(event))) as { audit: typeof event };
    assert.equal(sent.audit.seq, 1);
    assert.equal(sent.audit.attributes.prompt_hmac, 'ab'.repeat(32));
    assert.equal(entryHash(sent.audit), event.entry_hash);
  });

  it('adds no text that is not in the event', () => {
    const { audit: _audit, source, ...flat } = policyEventPayload(event);
    assert.equal(source, 'policy_gateway');
    const inEvent = new Set(stringsIn(event));
    for (const s of stringsIn(flat)) assert.ok(inEvent.has(s), `'${s}' is not in the event`);
  });

  it('reads a policy revision: id and history id from the top of attributes, name and classification from the document', () => {
    const [rev] = chain([
      enforcementEvent(2, {
        event_type: 'revision',
        request_id: null,
        model: null,
        attributes: {
          action: 'policy_update',
          history_id: '981',
          policy_id: 'support-bot',
          policy_version: 4,
          before: { name: 'Old name' },
          after: { name: 'Support bot policy', org_controls: { data_classification: 'internal' } },
        },
      }),
    ]);
    const p = policyEventPayload(rev);
    assert.deepEqual(
      [p.event_type, p.policy_id, p.history_id, p.policy_name, p.data_classification, p.decision, p.model],
      ['revision', 'support-bot', '981', 'Support bot policy', 'internal', null, null],
    );
  });

  it('gives nulls and empty lists for an event without policy fields, and null for the no-organisation chain', () => {
    const [admin] = chain([
      enforcementEvent(3, { event_type: 'auth', org_id: NO_ORG, project_id: null, principal: { kind: 'anonymous', key_id: null, key_preview: null, user_id: null }, attributes: { action: 'login.failure', decision: 'x' } }),
    ]);
    const p = policyEventPayload(admin);
    assert.equal(p.org_id, null);
    assert.equal(p.audit.org_id, NO_ORG);
    assert.equal(p.decision, null, 'free-form admin details are not decision fields');
    assert.deepEqual([p.triggered_categories, p.allowlist_hits, p.denylist_hits], [[], [], []]);
    assert.deepEqual([p.enforced, p.user_id, p.project_id, p.policy_name], [null, null, null, null]);
  });

  it("merges a flagged /v1 request's categories, once each", () => {
    const [flagged] = chain([enforcementEvent(4, { attributes: { policy: { triggered_categories: ['hate'] }, flagged_categories: { triggered: ['hate', 'sexual'] } } })]);
    assert.deepEqual(policyEventPayload(flagged).triggered_categories, ['hate', 'sexual']);
  });

  it('reads timestamps as epoch ms and refuses a non-date', () => {
    assert.equal(epochMs('2026-04-20T18:30:00.123Z'), Date.UTC(2026, 3, 20, 18, 30, 0, 123));
    assert.throws(() => epochMs('yesterday'), RangeError);
  });
});
