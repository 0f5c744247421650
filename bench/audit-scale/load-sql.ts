/**
 * The synthetic audit trail, generated inside Postgres (INSERT … SELECT FROM generate_series: no row crosses the
 * wire). Row i (0-based, in created_at order) belongs to the org of slot i % 200; every other draw is
 * bench_u(i, k), a deterministic hash in [0, 1), so a rerun loads the same data and a draw used twice agrees.
 */

/** Rows per 200-slot cycle of each org: one org holds half of the trail, 19 share the rest (1 % to 12 %). */
export const ORG_WEIGHTS = [100, 24, 15, 10, 8, 7, 6, 5, 4, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1];
export const SLOTS = 200;
export const orgId = (k: number): string => `00000000-0000-4000-8000-${String(k + 1).padStart(12, '0')}`;

/** Vocabularies (index 0 is the most frequent: picks are skewed by u^s). */
export const POLICIES = ['support-bot', 'code-assist', 'hr-helpdesk', 'legal-review', 'marketing-copy', 'finance-analyst', 'sales-assist', 'internal-search'];
export const MODELS = ['gpt-4o-mini', 'claude-sonnet-4', 'gpt-4o', 'claude-haiku-4', 'llama-3.1-70b', 'gpt-4.1', 'mistral-large', 'gemini-2.5-flash', 'o4-mini', 'qwen3-32b', 'claude-opus-4', 'gpt-4.1-nano', 'llama-3.1-8b', 'deepseek-v3', 'command-r-plus'];
export const CATEGORIES = ['pii', 'jailbreak', 'violence', 'self-harm', 'illicit', 'hate', 'sexual', 'weapons', 'medical-advice', 'financial-advice'];
/** Sizes of the per-org id spaces and their skew exponents (larger = more skewed towards id 0). */
export const SPACE = { project: [40, 2], key: [300, 2], user: [2000, 2.5], policyUser: [5000, 3] } as const;

/** Slot table rows: the slots of each org spread evenly over the cycle; seq = (i / 200) * per + rank + 1. */
export function slots(): Array<{ slot: number; orgIdx: number; rank: number; per: number }> {
  const all = ORG_WEIGHTS.flatMap((w, org) => Array.from({ length: w }, (_, rank) => ({ org, rank, per: w, pos: (rank + 0.5) / w })));
  all.sort((a, b) => a.pos - b.pos || a.org - b.org);
  return all.map((s, slot) => ({ slot, orgIdx: s.org, rank: s.rank, per: s.per }));
}

const arr = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;

export const SETUP_SQL = [
  `CREATE TABLE IF NOT EXISTS bench_slot (slot int PRIMARY KEY, org_idx int NOT NULL, org uuid NOT NULL, rank int NOT NULL, per int NOT NULL)`,
  `CREATE OR REPLACE FUNCTION bench_u(i bigint, k int) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT (hashint8extended(i, k) & 2147483647)::float8 / 2147483648 $$`,
  `CREATE OR REPLACE FUNCTION bench_z(u float8, n int, s float8) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT floor(n * power(u, s))::int $$`,
  `CREATE OR REPLACE FUNCTION bench_id(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT md5(t)::uuid::text $$`,
  // requestEventId() of record-to-event.ts in SQL: a version-8 UUID from SHA-256 of the request id.
  `CREATE OR REPLACE FUNCTION bench_uuid8(d bytea) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
     AS $$ SELECT encode(set_byte(set_byte(substring(d from 1 for 16), 6, (get_byte(d, 6) & 15) | 128), 8, (get_byte(d, 8) & 63) | 128), 'hex')::uuid $$`,
];

/** Columns the INSERT fills, in its SELECT order. */
const COLUMNS = `org_id, seq, created_at, event_id, event_type, v, occurred_at, project_id, principal_kind, api_key_id, key_preview, user_id,
  request_id, surface, model, provider, upstream_model, stream, status, http_status, error_code, finish_reason, input_tokens, output_tokens,
  started_at, latency_ms, ttft_ms, attributes, prev_hash, entry_hash`;

/**
 * Rows [$1, $2) of $3 spread over [$4, $4 + $5 ms). `hmacColumns`: the schema has prompt_hmac/output_hmac columns
 * (migration AuditHmacColumns), where the writer now puts them; without it they stay in attributes as hex.
 */
export function insertSql(hmacColumns: boolean): string {
  // Both HMACs on enforcement events (the org's key), the output one only when an answer was produced.
  const prompt = `sha256(int8send(i) || '\\x01'::bytea)`;
  const output = `sha256(int8send(i) || '\\x02'::bytea)`;
  const hmacAttrs = `jsonb_build_object('prompt_hmac', encode(${prompt}, 'hex')) || CASE WHEN http = 200 THEN jsonb_build_object('output_hmac', encode(${output}, 'hex')) ELSE '{}'::jsonb END`;
  const u = (k: number) => `bench_u(i, ${k})`;
  return `
INSERT INTO audit_event (${COLUMNS}${hmacColumns ? ', prompt_hmac, output_hmac' : ''})
SELECT org, (i / ${SLOTS}) * per + rank + 1, created_at,
       CASE WHEN is_req THEN bench_uuid8(sha256(convert_to('audit-event:' || rid, 'UTF8'))) ELSE bench_id(i || ':e')::uuid END,
       cls, 2, created_at - lag_ms * interval '1 millisecond', project, kind,
       CASE WHEN kind = 'api_key' THEN bench_id('k' || org_idx || ':' || key_n) END,
       CASE WHEN kind = 'api_key' THEN 'gw-…' || left(md5('k' || org_idx || ':' || key_n), 4) END,
       CASE WHEN kind = 'user' OR (kind = 'api_key' AND u6 < 0.7) THEN bench_id('u' || org_idx || ':' || user_n) END,
       CASE WHEN is_req THEN rid END,
       CASE WHEN is_req THEN (ARRAY['chat.completions','responses','messages','messages.count_tokens'])[1 + (u7 >= 0.55)::int + (u7 >= 0.75)::int + (u7 >= 0.97)::int] END,
       CASE WHEN is_req THEN (${arr(MODELS)})[model_n + 1] END,
       CASE WHEN is_req THEN (ARRAY['openai','anthropic','openai','anthropic','vllm','openai','mistral','google','openai','vllm','anthropic','openai','vllm','deepseek','cohere'])[model_n + 1] END,
       CASE WHEN is_req THEN (${arr(MODELS)})[model_n + 1] || '-2025-0' || (1 + model_n % 9) END,
       CASE WHEN is_req THEN u9 < 0.6 END,
       CASE WHEN NOT is_req THEN NULL WHEN http = 200 THEN 'ok' WHEN http = 499 THEN 'client_aborted' ELSE 'error' END,
       CASE WHEN is_req THEN http END,
       CASE WHEN NOT is_req OR http IN (200, 499) THEN NULL ELSE (ARRAY['invalid_request','invalid_api_key','policy_refused','rate_limited','upstream_error','upstream_error'])[1 + (http >= 401)::int + (http >= 403)::int + (http >= 429)::int + (http >= 500)::int + (http >= 502)::int] END,
       CASE WHEN is_req AND http = 200 THEN (ARRAY['stop','length','tool_calls'])[1 + (u12 >= 0.85)::int + (u12 >= 0.9)::int] END,
       CASE WHEN is_req THEN floor(20 + 6000 * power(u11, 3))::int END,
       CASE WHEN is_req THEN CASE WHEN http = 200 THEN floor(1 + 1500 * power(u12, 2.5))::int ELSE 0 END END,
       CASE WHEN is_req THEN created_at - (lag_ms + latency) * interval '1 millisecond' END,
       CASE WHEN is_req THEN latency END,
       CASE WHEN is_req AND u9 < 0.6 THEN floor(latency * 0.1 + 40)::int END,
       ${attributesSql(hmacColumns ? null : hmacAttrs)},
       sha256(int8send(i)), sha256(int8send(i + 1))${hmacColumns ? `, CASE WHEN cls = 'enforcement' THEN ${prompt} END, CASE WHEN cls = 'enforcement' AND http = 200 THEN ${output} END` : ''}
  FROM (SELECT *, CASE WHEN cls = 'enforcement' AND u14 < 0.80 THEN 'proj-' || org_idx || '-' || bench_z(u3, ${SPACE.project[0]}, ${SPACE.project[1]})
                    WHEN cls = 'revision' AND u3 < 0.5 THEN 'proj-' || org_idx || '-' || bench_z(u3 * 2, ${SPACE.project[0]}, ${SPACE.project[1]}) END AS project,
               CASE WHEN cls = 'auth' THEN 'anonymous' WHEN cls IN ('admin', 'simulation') THEN 'user' WHEN cls = 'revision' THEN (CASE WHEN u5 < 0.9 THEN 'user' ELSE 'system' END)
                    WHEN u4 < 0.88 THEN 'api_key' WHEN u4 < 0.98 THEN 'user' ELSE 'free_tier' END AS kind,
               bench_z(u4 / 0.88, ${SPACE.key[0]}, ${SPACE.key[1]}) AS key_n, bench_z(u5, ${SPACE.user[0]}, ${SPACE.user[1]}) AS user_n,
               bench_z(u8, ${MODELS.length}, 2) AS model_n,
               CASE WHEN cls = 'auth' THEN 401 WHEN u10 < 0.93 THEN 200 WHEN u10 < 0.95 THEN 400 WHEN u10 < 0.965 THEN 403 WHEN u10 < 0.975 THEN 429
                    WHEN u10 < 0.985 THEN 500 WHEN u10 < 0.995 THEN 502 ELSE 499 END AS http,
               floor(80 + 20000 * power(u13, 3))::int AS latency, floor(400 * u2)::int AS lag_ms, cls IN ('enforcement', 'auth') AS is_req
          FROM (SELECT i, s.org, s.org_idx, s.rank, s.per, date_trunc('milliseconds', $4::timestamptz + (i * ($5::float8 / $3::float8)) * interval '1 millisecond') AS created_at,
                       'req_' || md5(i::text) AS rid,
                       CASE WHEN ${u(1)} < 0.90 THEN 'enforcement' WHEN ${u(1)} < 0.94 THEN 'auth' WHEN ${u(1)} < 0.97 THEN 'admin'
                            WHEN ${u(1)} < 0.995 THEN 'simulation' ELSE 'revision' END AS cls,
                       ${Array.from({ length: 25 }, (_, k) => `${u(k + 2)} AS u${k + 2}`).join(', ')}
                  FROM generate_series($1::bigint, $2::bigint - 1) AS i JOIN bench_slot s ON s.slot = (i % ${SLOTS})::int OFFSET 0) g
        OFFSET 0) r`;
}

/** The attributes of each class; enforcement ones in the shape of PolicyRun.auditFields() / the /v1 flags. */
function attributesSql(hmacAttrs: string | null): string {
  const decision = `(ARRAY['allow','redact','rewrite','summary','escalate','refuse'])[CASE WHEN u19 < 0.007 THEN 6 ELSE 1 + (u17 >= 0.80)::int + (u17 >= 0.90)::int + (u17 >= 0.92)::int + (u17 >= 0.93)::int + (u17 >= 0.95)::int END]`;
  const cats = `CASE WHEN u20 < 0.92 THEN '[]'::jsonb WHEN u20 < 0.98 THEN jsonb_build_array((${arr(CATEGORIES)})[bench_z(u21, ${CATEGORIES.length}, 2) + 1])
                     ELSE jsonb_build_array((${arr(CATEGORIES)})[bench_z(u21, ${CATEGORIES.length}, 2) + 1], (${arr(CATEGORIES)})[bench_z(u22, ${CATEGORIES.length}, 1) + 1]) END`;
  const classifier = `jsonb_build_object('id', 'llama-guard-3-1b', 'status', CASE WHEN u26 < 0.6 THEN 'ok' ELSE 'not_needed' END)`;
  const policy = `jsonb_build_object('policy', jsonb_build_object(
      'policy_id', (${arr(POLICIES)})[bench_z(u15, ${POLICIES.length}, 2) + 1], 'policy_version', 1 + floor(12 * u16)::int,
      'decision', ${decision}, 'effective_decision', CASE WHEN u18 < 0.15 THEN 'allow' ELSE ${decision} END,
      'reason_code', CASE WHEN u19 < 0.005 THEN 'USER_QUOTA_EXCEEDED' WHEN u19 < 0.007 THEN 'PROJECT_QUOTA_EXCEEDED' ELSE upper(${decision}) END,
      'triggered_categories', ${cats},
      'allowlist_hits', CASE WHEN u23 < 0.03 THEN '["internal-codename"]'::jsonb ELSE '[]'::jsonb END,
      'denylist_hits', CASE WHEN u23 > 0.98 THEN '["project-falcon"]'::jsonb ELSE '[]'::jsonb END,
      'rollout_mode', CASE WHEN u18 < 0.15 THEN 'shadow' ELSE 'enforced' END, 'enforced', u18 >= 0.15,
      'policy_target', (ARRAY['support','internal','public','partner'])[1 + floor(4 * u24)::int],
      'policy_user', 'pu-' || org_idx || '-' || bench_z(u25, ${SPACE.policyUser[0]}, ${SPACE.policyUser[1]}),
      'quota_subject', 'pu-' || org_idx || '-' || bench_z(u25, ${SPACE.policyUser[0]}, ${SPACE.policyUser[1]}),
      'project_id', project,
      'redaction_counts', CASE WHEN ${decision} = 'redact' THEN jsonb_build_object('EMAIL', 1 + floor(3 * u22)::int, 'PHONE', floor(2 * u23)::int) ELSE '{}'::jsonb END,
      'classifier', ${classifier}, 'generation', 2))`;
  const flagged = `CASE WHEN u14 < 0.85 THEN jsonb_build_object('flagged_categories', jsonb_build_object('triggered', ${cats}, 'classifier', ${classifier})) ELSE '{}'::jsonb END`;
  const admin = `jsonb_build_object('action', (ARRAY['audit.read','key.create','key.revoke','audit.export','login','user.role'])[1 + floor(6 * u14)::int],
      'outcome', 'success', 'query', jsonb_build_object('from', '2026-01-01', 'decision', 'refuse', 'limit', '100'), 'returned', floor(100 * u15)::int)`;
  const simulation = `jsonb_build_object('action', 'policy.simulate', 'policy_id', (${arr(POLICIES)})[bench_z(u15, ${POLICIES.length}, 2) + 1],
      'policy_version', 1 + floor(12 * u16)::int, 'decision', ${decision}, 'triggered_categories', ${cats}, 'messages', 1 + floor(5 * u17)::int)`;
  const doc = (v: string) => `jsonb_build_object('policy_id', (${arr(POLICIES)})[bench_z(u15, ${POLICIES.length}, 2) + 1], 'version', ${v},
      'config', jsonb_build_object('rules', jsonb_build_object('pii', jsonb_build_array('EMAIL','PHONE','IBAN'), 'denylist', jsonb_build_array('project-falcon','codename-x'),
      'flagged_categories', jsonb_build_array('self-harm','violence','weapons'), 'enforcement_action', 'redact', 'reason_codes', jsonb_build_object('refuse', 'BLOCKED_BY_POLICY'))))`;
  const revision = `jsonb_build_object('action', 'policy_update', 'history_id', (i % 100000)::text, 'policy_id', (${arr(POLICIES)})[bench_z(u15, ${POLICIES.length}, 2) + 1],
      'policy_version', 2 + floor(12 * u16)::int, 'before', ${doc('1 + floor(12 * u16)::int')}, 'after', ${doc('2 + floor(12 * u16)::int')})`;
  const enforcement = `CASE WHEN u14 < 0.70 THEN ${policy} ELSE ${flagged} END${hmacAttrs ? ` || ${hmacAttrs}` : ''}`;
  return `CASE cls WHEN 'enforcement' THEN ${enforcement} WHEN 'admin' THEN ${admin} WHEN 'simulation' THEN ${simulation} WHEN 'revision' THEN ${revision} ELSE '{}'::jsonb END`;
}
