import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdentityError } from '@gw/identity';
import { parseRetentionChange } from './audit-retention.service';

const param = (body: unknown): string | undefined => {
  try {
    parseRetentionChange(body);
  } catch (err) {
    assert.ok(err instanceof IdentityError);
    return err.extra.param;
  }
  return assert.fail('expected a 400');
};

describe(parseRetentionChange.name, () => {
  it('takes either field, null meaning the global setting; an absent field is unchanged', () => {
    assert.deepEqual(parseRetentionChange({ events_days: 90 }), { events_days: 90 });
    assert.deepEqual(parseRetentionChange({ events_days: null, content_days: 36_500 }), { events_days: null, content_days: 36_500 });
  });

  it('names the field that is wrong: out of 1..36500, not an integer, unknown, or nothing to change', () => {
    for (const [body, field] of [
      [{ events_days: 0 }, 'events_days'],
      [{ events_days: 36_501 }, 'events_days'],
      [{ content_days: 1.5 }, 'content_days'],
      [{ content_days: '30' }, 'content_days'],
      [{ events_days: 30, colour: 'red' }, 'colour'],
      [{}, 'events_days'],
      [[1], 'body'],
      [null, 'body'],
    ] as Array<[unknown, string]>) {
      assert.equal(param(body), field, JSON.stringify(body));
    }
  });
});
