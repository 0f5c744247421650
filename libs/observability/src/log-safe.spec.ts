import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logSafeError, messageTemplate } from './log-safe';

describe('logSafeError', () => {
  it('keeps the class, code and stack frames, and none of the quoted or extra values', () => {
    const err = Object.assign(new Error('invalid input syntax for type uuid: "secret-org\u0000"'), {
      code: '22P02',
      query: 'INSERT INTO x VALUES ($1)',
      parameters: ['user prompt text'],
    });
    const safe = logSafeError(err);
    assert.equal(safe.type, 'Error');
    assert.equal(safe.code, '22P02');
    assert.equal(safe.message, 'invalid input syntax for type uuid: "…"');
    assert.match(safe.stack ?? '', /^\s+at /);
    const logged = JSON.stringify(safe);
    for (const leak of ['secret-org', 'user prompt text', 'INSERT INTO']) assert.ok(!logged.includes(leak), leak);
  });

  it('handles non-errors and odd codes', () => {
    assert.deepEqual(logSafeError('boom 12345'), { type: 'string', message: 'boom …' });
    assert.equal(logSafeError(Object.assign(new Error('x'), { code: 'a b "c"' })).code, undefined);
    assert.equal(messageTemplate("key 'v' 0x00 0x01"), "key '…' 0x…");
  });
});
