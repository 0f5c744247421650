import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseError } from 'pg';
import { certainlyNotApplied } from './query-outcome';

const err = (code?: unknown) => Object.assign(new Error('x'), code === undefined ? {} : { code });
const fromServer = (code: string) => Object.assign(new DatabaseError('x', 0, 'error'), { code });

describe('certainlyNotApplied', () => {
  it('is true for an error the server answered (rolled back) and for a connection never made', () => {
    for (const code of ['57P01', '40001', '23514', '57P03']) assert.equal(certainlyNotApplied(fromServer(code)), true, code);
    for (const code of ['ECONNREFUSED', 'ENOTFOUND']) assert.equal(certainlyNotApplied(err(code)), true, code);
  });

  it('is false when the connection broke with the query out, or nothing says', () => {
    assert.equal(certainlyNotApplied(fromServer('08006')), false);
    for (const code of ['57P01', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', undefined, 42]) assert.equal(certainlyNotApplied(err(code)), false, String(code));
    assert.equal(certainlyNotApplied(null), false);
    assert.equal(certainlyNotApplied('boom'), false);
  });
});
