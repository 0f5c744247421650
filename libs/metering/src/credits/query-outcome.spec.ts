import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certainlyNotApplied } from './query-outcome';

const err = (code?: unknown) => Object.assign(new Error('x'), code === undefined ? {} : { code });

describe('certainlyNotApplied', () => {
  it('is true for a server error (rolled back) and for a connection never made', () => {
    for (const code of ['57P01', '40001', '23514', '57P03', 'ECONNREFUSED', 'ENOTFOUND']) assert.equal(certainlyNotApplied(err(code)), true, code);
  });

  it('is false when the connection broke with the query out, or nothing says', () => {
    for (const code of ['08006', '08003', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', undefined, 42]) assert.equal(certainlyNotApplied(err(code)), false, String(code));
    assert.equal(certainlyNotApplied(null), false);
    assert.equal(certainlyNotApplied('boom'), false);
  });
});
