import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCursor, page, parsePageQuery } from './page-query';

describe('policy list query', () => {
  it('defaults, limits and cursors', () => {
    assert.deepEqual(parsePageQuery({}, 'policy'), { limit: 20, after: null });
    assert.deepEqual(parsePageQuery(undefined, 'version'), { limit: 20, after: null });
    assert.deepEqual(parsePageQuery({ limit: '1' }, 'policy'), { limit: 1, after: null });
    assert.deepEqual(parsePageQuery({ limit: '100', cursor: encodeCursor('policy', 'support-bot') }, 'policy'), { limit: 100, after: 'support-bot' });
    assert.deepEqual(parsePageQuery({ cursor: encodeCursor('version', 7) }, 'version'), { limit: 20, after: 7 });
  });

  it('names the bad parameter precisely', () => {
    const cases: [unknown, 'policy' | 'version', string, RegExp][] = [
      [{ limit: '0' }, 'policy', 'limit', /from 1 to 100, got '0'/],
      [{ limit: '101' }, 'policy', 'limit', /from 1 to 100/],
      [{ limit: '1.5' }, 'policy', 'limit', /integer/],
      [{ limit: '' }, 'policy', 'limit', /integer/],
      [{ limit: '-1' }, 'policy', 'limit', /integer/],
      [{ limit: ['1', '2'] }, 'policy', 'limit', /more than once/],
      [{ offset: '3' }, 'policy', 'offset', /Unknown query parameter: 'offset'/],
      [{ cursor: 'garbage!' }, 'policy', 'cursor', /not a cursor/],
      [{ cursor: encodeCursor('version', 3) }, 'policy', 'cursor', /not a cursor/],
      [{ cursor: encodeCursor('policy', 'x') }, 'version', 'cursor', /not a cursor/],
      [{ cursor: Buffer.from('p:Bad Id').toString('base64url') }, 'policy', 'cursor', /not a cursor/],
      [{ cursor: Buffer.from('v:0').toString('base64url') }, 'version', 'cursor', /not a cursor/],
      [{ cursor: Buffer.from('v:99999999999').toString('base64url') }, 'version', 'cursor', /not a cursor/],
    ];
    for (const [q, kind, param, message] of cases) assert.throws(() => parsePageQuery(q, kind), { statusCode: 400, code: 'invalid_value', param, message }, JSON.stringify(q));
  });

  it('pages from limit + 1 rows', () => {
    const wire = (n: number) => ({ n });
    const cursor = (n: number) => encodeCursor('version', n);
    assert.deepEqual(page([5, 4, 3], 2, wire, cursor), { data: [{ n: 5 }, { n: 4 }], has_more: true, next_cursor: encodeCursor('version', 4) });
    assert.deepEqual(page([5, 4], 2, wire, cursor), { data: [{ n: 5 }, { n: 4 }], has_more: false, next_cursor: null });
    assert.deepEqual(page([], 2, wire, cursor), { data: [], has_more: false, next_cursor: null });
  });
});
