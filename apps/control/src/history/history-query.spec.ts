import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHistoryCursor, encodeHistoryCursor, parseHistoryQuery } from './history-query';

const position = { at: '2026-04-20T18:30:00.123456Z', source: 'enforcement' as const, id: '42' };

describe('history query', () => {
  it('defaults: no filter, 50 entries, or the cap when it is smaller', () => {
    assert.deepEqual(parseHistoryQuery({}, 50), { filter: {}, limit: 50, after: null });
    assert.deepEqual(parseHistoryQuery(undefined, 1000).limit, 50);
    assert.deepEqual(parseHistoryQuery({}, 10).limit, 10);
    assert.equal(parseHistoryQuery({ limit: '1000' }, 1000).limit, 1000);
  });

  it('reads every filter', () => {
    const q = parseHistoryQuery(
      { type: 'enforcement', policy_id: 'support-bot', project_id: 'proj_support_bot', decision: 'refuse', from: '2026-04-01', to: '2026-04-20T20:30:00+02:00', limit: '7', cursor: encodeHistoryCursor(position) },
      50,
    );
    assert.deepEqual(q, {
      filter: { type: 'enforcement', policyId: 'support-bot', projectId: 'proj_support_bot', decision: 'refuse', from: new Date('2026-04-01T00:00:00Z'), to: new Date('2026-04-20T18:30:00Z') },
      limit: 7,
      after: position,
    });
  });

  it('names the bad parameter', () => {
    const cases: [Record<string, unknown>, string, string, RegExp][] = [
      [{ type: 'simulation' }, 'type', 'invalid_value', /revision' or 'enforcement/],
      [{ policy_id: 'Bad Id' }, 'policy_id', 'invalid_value', /slug/],
      [{ project_id: 'support' }, 'project_id', 'invalid_value', /proj_/],
      [{ decision: 'deny' }, 'decision', 'invalid_value', /one of allow/],
      [{ from: 'yesterday' }, 'from', 'invalid_value', /ISO-8601/],
      [{ to: '2026-13-01' }, 'to', 'invalid_value', /ISO-8601/],
      [{ from: '2026-04-02', to: '2026-04-01' }, 'from', 'invalid_value', /later than 'to'/],
      [{ limit: '0' }, 'limit', 'invalid_value', /from 1 to 50/],
      [{ limit: '51' }, 'limit', 'invalid_value', /from 1 to 50/],
      [{ limit: '2.5' }, 'limit', 'invalid_value', /integer/],
      [{ limit: ['1', '2'] }, 'limit', 'invalid_value', /more than once/],
      [{ cursor: 'nope!' }, 'cursor', 'invalid_cursor', /not a cursor/],
      [{ cursor: Buffer.from('2026-04-20T18:30:00Z|r|1').toString('base64url') }, 'cursor', 'invalid_cursor', /not a cursor/],
      [{ cursor: Buffer.from('2026-04-20T18:30:00.000000Z|x|1').toString('base64url') }, 'cursor', 'invalid_cursor', /not a cursor/],
      [{ cursor: Buffer.from('2026-04-20T18:30:00.000000Z|r|0').toString('base64url') }, 'cursor', 'invalid_cursor', /not a cursor/],
      [{ cursor: Buffer.from('2026-04-20T18:30:00.000000Z|r|9223372036854775808').toString('base64url') }, 'cursor', 'invalid_cursor', /not a cursor/],
      [{ page: '2' }, 'page', 'invalid_value', /Unknown query parameter: 'page'/],
    ];
    for (const [query, param, code, message] of cases) assert.throws(() => parseHistoryQuery(query, 50), { statusCode: 400, code, param, message }, JSON.stringify(query));
  });

  it('cursors round-trip and are opaque', () => {
    const c = encodeHistoryCursor(position);
    assert.match(c, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeHistoryCursor(c), position);
    assert.deepEqual(decodeHistoryCursor(encodeHistoryCursor({ ...position, source: 'revision' })), { ...position, source: 'revision' });
    assert.equal(decodeHistoryCursor(`${c}A`), null);
  });
});
