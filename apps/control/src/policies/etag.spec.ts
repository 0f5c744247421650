import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { etagOf, parseIfMatch } from './etag';

describe('policy ETag and If-Match', () => {
  it('the tag is the quoted version', () => {
    assert.equal(etagOf(7), '"7"');
  });

  it('parses *, one tag, lists; other tags never match; no header is no precondition', () => {
    assert.equal(parseIfMatch(undefined), undefined);
    assert.equal(parseIfMatch(' * '), '*');
    assert.deepEqual(parseIfMatch('"3"'), [3]);
    assert.deepEqual(parseIfMatch('"3", "5" ,"12"'), [3, 5, 12]);
    assert.deepEqual(parseIfMatch(['"3"', '"4"']), [3, 4]);
    assert.deepEqual(parseIfMatch('W/"3"'), [], 'weak tags fail the strong comparison');
    assert.deepEqual(parseIfMatch('"abc", "0", "01"'), [], 'well-formed tags that are no version of ours');
  });

  it('a value that is no entity tag is a 400 naming the header', () => {
    for (const bad of ['3', '', 'W/3', '"3', '"3" "4"', '*, "3"']) {
      assert.throws(() => parseIfMatch(bad), { statusCode: 400, code: 'invalid_value', param: 'If-Match' }, bad);
    }
  });
});
