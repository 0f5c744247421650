import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { EVENT_SELECT } from '../chain/event-row';
import { requestEventId } from '../chain/record-to-event';
import { decodeCursor, encodeCursor } from './cursor';
import { parseAuditQuery } from './query-params';
import { eventsPageSql, eventsWhere, statsSql, toPage, type SqlQuery } from './query-sql';

const ORG = '3f2a1c4e-0000-4000-8000-000000000001';
const HOSTILE = "x'; DROP TABLE audit_event; --";
const parse = (raw: Record<string, unknown>) => parseAuditQuery(raw, { maxLimit: 1000, defaultLimit: 100 });

/** Every `$n` of the SQL, as numbers. */
const placeholders = (sql: string) => [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));

/** The placeholders are exactly $1..$params.length, and no hostile text reached the SQL. */
function assertBound({ sql, params }: SqlQuery): void {
  const used = new Set(placeholders(sql));
  assert.deepEqual([...used].sort((a, b) => a - b), params.map((_, i) => i + 1), 'every param is used, no placeholder dangles');
  assert.ok(!sql.includes('DROP') && !sql.includes("x'"), `no client value in the SQL: ${sql}`);
}

const TEXT_FILTERS = ['reason_code', 'policy_id', 'project_id', 'user_id', 'policy_user', 'key_id', 'model', 'surface', 'category', 'request_id'];

describe('eventsWhere', () => {
  it('no filter: only the organisation, as $1', () => {
    assert.deepEqual(eventsWhere(ORG, parse({})), { sql: 'org_id = $1', params: [ORG] });
  });

  for (const param of TEXT_FILTERS) {
    it(`${param}: a hostile value travels only as a bind parameter`, () => {
      const w = eventsWhere(ORG, parse({ [param]: HOSTILE }));
      assertBound(w);
      assert.ok(w.sql.startsWith('org_id = $1 AND '));
      // request_id also binds the event id derived from it (the event_id index finds the row).
      assert.deepEqual(w.params, param === 'request_id' ? [ORG, requestEventId(HOSTILE), HOSTILE] : [ORG, HOSTILE]);
    });
  }

  it('maps each filter to its column or JSON path', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ user_id: 'u' }, 'user_id = $2'],
      [{ key_id: 'k' }, 'api_key_id = $2'],
      [{ project_id: 'p' }, 'project_id = $2'],
      [{ model: 'm' }, 'model = $2'],
      [{ surface: 's' }, 'surface = $2'],
      [{ request_id: 'r' }, 'event_id = $2::uuid AND request_id = $3'],
      [{ decision: 'refuse' }, "attributes->'policy'->>'decision' = $2"],
      [{ effective_decision: 'allow' }, "attributes->'policy'->>'effective_decision' = $2"],
      [{ reason_code: 'R' }, "attributes->'policy'->>'reason_code' = $2"],
      [{ policy_user: 'pu' }, "attributes->'policy'->>'policy_user' = $2"],
      [{ policy_id: 'p' }, "(attributes->'policy'->>'policy_id' = $2 OR attributes->>'policy_id' = $2)"],
      [{ category: 'c' }, "(attributes->'policy'->'triggered_categories' ? $2 OR attributes->'flagged_categories'->'triggered' ? $2)"],
      [{ class: 'admin,auth' }, 'event_type = ANY($2::text[])'],
      [{ status: '4xx' }, 'http_status BETWEEN $2 AND $3'],
      [{ from: '2026-05-01' }, 'created_at >= $2::timestamptz'],
      [{ to: '2026-05-01' }, 'created_at < $2::timestamptz'],
      [{ cursor: encodeCursor(9) }, 'seq < $2::bigint'],
    ];
    for (const [raw, fragment] of cases) assert.equal(eventsWhere(ORG, parse(raw)).sql, `org_id = $1 AND ${fragment}`, JSON.stringify(raw));
  });

  it('binds the values themselves: times as ISO text, status bounds, classes as an array, the cursor seq', () => {
    const w = eventsWhere(ORG, parse({ from: '2026-05-01', to: '2026-05-02T00:00:00+02:00', class: 'enforcement', status: '5xx', cursor: encodeCursor(41) }));
    assertBound(w);
    assert.deepEqual(w.params, [ORG, '2026-05-01T00:00:00.000Z', '2026-05-01T22:00:00.000Z', ['enforcement'], 500, 599, 41]);
    assert.deepEqual(eventsWhere(ORG, parse({ status: '404' })).params, [ORG, 404, 404]);
  });

  it('every filter at once: numbered in order, each bound once', () => {
    const raw: Record<string, string> = { from: '2026-05-01', to: '2026-06-01', class: 'enforcement', decision: 'refuse', effective_decision: 'allow', status: '2xx', cursor: encodeCursor(5) };
    for (const p of TEXT_FILTERS) raw[p] = `${HOSTILE}:${p}`;
    const w = eventsWhere(ORG, parse(raw));
    assertBound(w);
    for (const p of TEXT_FILTERS) assert.ok(w.params.includes(`${HOSTILE}:${p}`), p);
    assert.equal(w.params.length, 1 + 2 + 1 + 2 + TEXT_FILTERS.length + 1 + 2 + 1, 'request_id binds its event id too');
  });
});

describe('eventsPageSql and the cursor', () => {
  it('selects the event columns, newest first, limit + 1 rows as the last parameter', () => {
    const page = eventsPageSql(ORG, parse({ model: HOSTILE, limit: '25' }));
    assertBound(page);
    assert.equal(page.sql, `SELECT ${EVENT_SELECT} FROM audit_event WHERE org_id = $1 AND model = $2 ORDER BY seq DESC LIMIT $3`);
    assert.deepEqual(page.params, [ORG, HOSTILE, 26]);
  });

  it('round-trips a seq, including the largest safe integer; refuses to encode a non-seq', () => {
    for (const seq of [1, 2, 999, 1_234_567_890_123, Number.MAX_SAFE_INTEGER]) {
      const c = encodeCursor(seq);
      assert.match(c, /^[A-Za-z0-9_-]+$/);
      assert.equal(decodeCursor(c), seq);
      assert.equal(parse({ cursor: c }).beforeSeq, seq);
    }
    assert.deepEqual(JSON.parse(Buffer.from(encodeCursor(7), 'base64url').toString()), { v: 1, s: 7 });
    for (const bad of [0, -1, 1.5, NaN, 2 ** 60]) assert.throws(() => encodeCursor(bad), RangeError);
  });

  it('toPage: the next cursor is the last returned seq, and it continues strictly below it', () => {
    const events = [10, 9, 8, 7].map((seq) => ({ seq }) as ChainedAuditEvent);
    const full = toPage(events, 3);
    assert.deepEqual(full.events.map((e) => e.seq), [10, 9, 8]);
    assert.equal(decodeCursor(full.next_cursor!), 8);
    const next = eventsPageSql(ORG, parse({ cursor: full.next_cursor!, limit: '3' }));
    assert.match(next.sql, /AND seq < \$2::bigint ORDER BY seq DESC LIMIT \$3$/);
    assert.deepEqual(next.params, [ORG, 8, 4]);
    assert.deepEqual(toPage(events, 4), { events, next_cursor: null });
    assert.deepEqual(toPage([], 4), { events: [], next_cursor: null });
  });
});

describe('statsSql', () => {
  it('both queries bind the same filters, ignore the cursor, and keep values out of the SQL', () => {
    const q = parse({ from: '2026-05-01', to: '2026-05-08', project_id: HOSTILE, category: HOSTILE, cursor: encodeCursor(3) });
    const { grouped, categories } = statsSql(ORG, q);
    for (const s of [grouped, categories]) {
      assertBound(s);
      assert.deepEqual(s.params, [ORG, '2026-05-01T00:00:00.000Z', '2026-05-08T00:00:00.000Z', HOSTILE, HOSTILE]);
      assert.ok(!s.sql.includes('seq <'), 'the cursor does not narrow stats');
    }
    assert.match(grouped.sql, /GROUP BY GROUPING SETS \(\(decision\), \(project\), \(day\), \(\)\)/);
    assert.match(grouped.sql, /to_char\(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'\)/);
    assert.match(categories.sql, /jsonb_array_elements_text[\s\S]*UNION[\s\S]*jsonb_array_elements_text/);
  });
});
