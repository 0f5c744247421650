import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnforcementRow, RevisionRow } from '@gw/policy';
import { toHistoryEntry } from './history.mapper';

const when = new Date('2026-04-20T18:30:00.123Z');
const position = { at: '2026-04-20T18:30:00.123456Z', source: 'revision' as const, id: '5' };
const gen1 = { policy_id: 'support', name: 'Support Policy', rules: { denylist: ['x'] }, org_controls: { data_classification: 'confidential' } };

describe('history entries', () => {
  it('a policy revision: spec fields, its document as config, who and what', () => {
    const row: RevisionRow = {
      source: 'revision',
      id: '5',
      createdAt: when,
      position,
      policyId: 'support',
      policyVersion: 2,
      projectId: null,
      projectLabel: null,
      editType: 'policy_update',
      actor: { kind: 'user', id: 'u1' },
      before: { ...gen1, rules: { denylist: [] } },
      after: gen1,
      details: null,
    };
    const e = toHistoryEntry(row);
    assert.deepEqual(e, {
      id: 'rev_5',
      type: 'revision',
      created_at: '2026-04-20T18:30:00.123Z',
      policy_id: 'support',
      policy_name: 'Support Policy',
      policy_version: 2,
      decision: null,
      effective_decision: null,
      reason_code: null,
      triggered_categories: [],
      scenario_categories: [],
      rollout_mode: null,
      enforced: null,
      allowlist_hits: [],
      denylist_hits: [],
      policy_target: null,
      policy_user: null,
      quota_subject: null,
      project_id: null,
      project_label: null,
      data_classification: 'confidential',
      model: null,
      config: gen1,
      edit_type: 'policy_update',
      actor: { kind: 'user', id: 'u1' },
      before: { ...gen1, rules: { denylist: [] } },
      after: gen1,
      details: null,
    });
    const deleted = toHistoryEntry({ ...row, editType: 'policy_delete', before: { name: 'Bot', classification: 'internal', config: {} }, after: null });
    assert.deepEqual([deleted.config, deleted.policy_name, deleted.data_classification], [null, 'Bot', 'internal'], 'a delete names what it deleted');
    const project = toHistoryEntry({ ...row, editType: 'project_update', after: { name: 'Support Bot' } });
    assert.deepEqual([project.config, project.policy_name], [null, null], 'a project is not a policy snapshot');
  });

  it('an enforcement: the recorded policy block, typed defensively', () => {
    const row: EnforcementRow = {
      source: 'enforcement',
      id: '9',
      createdAt: when,
      position: { ...position, source: 'enforcement', id: '9' },
      policyId: 'support',
      policyVersion: 3,
      projectId: 'proj_bot',
      projectLabel: 'Bot',
      model: 'abliterated-model',
      policy: {
        decision: 'refuse',
        effective_decision: 'allow',
        reason_code: 'REFUSE',
        triggered_categories: ['hate', 7],
        allowlist_hits: 'not a list',
        denylist_hits: ['competitor-x'],
        rollout_mode: 'shadow',
        enforced: false,
        policy_target: 'chat.completions',
        policy_user: 'user_42',
        quota_subject: 'user_42',
      },
      policyName: 'Support Policy',
      dataClassification: 'internal',
    };
    const e = toHistoryEntry(row);
    assert.equal(e.id, 'enf_9');
    assert.deepEqual(
      [e.type, e.decision, e.effective_decision, e.enforced, e.rollout_mode, e.triggered_categories, e.allowlist_hits, e.denylist_hits, e.model, e.config, e.project_label],
      ['enforcement', 'refuse', 'allow', false, 'shadow', ['hate'], [], ['competitor-x'], 'abliterated-model', null, 'Bot'],
    );
    assert.equal('edit_type' in e, false);
  });
});
