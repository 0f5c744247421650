import { AUDIT_EVENT_FORMAT, type AuditEvent, type ChainedAuditEvent } from '../../chain/audit-event.types';
import { entryHash, GENESIS_HASH } from '../../chain/entry-hash';

/** Test support: a real hash chain of audit events, as the writer produces them. */

export const TEST_ORG = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

/** An enforcement event's fields (override any); `seq`, `prev_hash` and `entry_hash` are set by {@link chain}. */
export function enforcementEvent(i: number, overrides: Partial<AuditEvent> = {}): Omit<AuditEvent, 'seq' | 'prev_hash'> {
  const at = Date.UTC(2026, 3, 20, 18, 30, 0, 123) + i * 1000;
  return {
    v: AUDIT_EVENT_FORMAT,
    event_id: `3d14a2b8-0000-4000-8000-${String(i).padStart(12, '0')}`,
    event_type: 'enforcement',
    org_id: TEST_ORG,
    created_at: new Date(at + 40).toISOString(),
    occurred_at: new Date(at).toISOString(),
    project_id: 'proj_support_bot',
    principal: { kind: 'api_key', key_id: 'key_1', key_preview: 'sk-…a1b2', user_id: 'user_7' },
    request_id: `req_${i}`,
    surface: 'chat.completions',
    model: 'abliterated-model',
    provider: 'local',
    upstream_model: 'stories260K',
    stream: false,
    status: 'ok',
    http_status: 200,
    error_code: null,
    finish_reason: 'stop',
    input_tokens: 12 + i,
    output_tokens: 34,
    started_at: new Date(at - 25).toISOString(),
    latency_ms: 25,
    ttft_ms: null,
    attributes: {
      policy: {
        policy_id: 'support-bot',
        policy_version: 3,
        decision: 'refuse',
        effective_decision: 'allow',
        reason_code: 'REFUSE',
        triggered_categories: ['illicit'],
        allowlist_hits: [],
        denylist_hits: [`competitor-${i}`],
        rollout_mode: 'shadow',
        enforced: false,
        policy_target: 'support-bot',
        policy_user: 'user_42',
        quota_subject: 'user_42',
        project_id: 'proj_support_bot',
        project_label: 'Support Bot',
        redaction_counts: { email: i },
      },
      prompt_hmac: 'ab'.repeat(32),
    },
    ...overrides,
  };
}

/** Chains events in order from the genesis hash. */
export function chain(events: Array<Omit<AuditEvent, 'seq' | 'prev_hash'>>, firstSeq = 1): ChainedAuditEvent[] {
  let prev = GENESIS_HASH;
  return events.map((e, i) => {
    const event: AuditEvent = { ...e, seq: firstSeq + i, prev_hash: prev };
    const hashed = { ...event, entry_hash: entryHash(event) };
    prev = hashed.entry_hash;
    return hashed;
  });
}

/** `n` chained enforcement events, one second apart. */
export const makeEvents = (n: number): ChainedAuditEvent[] => chain(Array.from({ length: n }, (_, i) => enforcementEvent(i + 1)));
