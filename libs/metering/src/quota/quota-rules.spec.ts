import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quotaTag } from './quota-rules';

describe('quotaTag', () => {
  it('is the leading {…} content, else the part before the first |, else the whole key', () => {
    // The rule as it was first written, as a regex: the hand-written scan must agree with it on every shape.
    const reference = (key: string): string => {
      const braced = /^\{([^}]+)\}/.exec(key);
      if (braced) return braced[1];
      const bar = key.indexOf('|');
      return bar > 0 ? key.slice(0, bar) : key;
    };
    const keys = ['{org-1}|user|u1', '{org-1}', '{}|x', '{}', '{a', '{a|b', '}a|b', 'a|b|c', '|a', 'abc', '', '{a}b}', '{\n}|x', '{{a}}|b', 'x{a}|b'];
    for (const key of keys) assert.equal(quotaTag(key), reference(key), JSON.stringify(key));
    assert.equal(quotaTag('{org-1}|project|p'), 'org-1');
    assert.equal(quotaTag('org-2|user|u'), 'org-2');
  });
});
