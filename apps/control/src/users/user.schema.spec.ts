import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChangePasswordBody, parseCreateUserBody, parseUpdateUserBody } from './user.schema';

describe('users API bodies', () => {
  it('accepts well-formed bodies', () => {
    assert.deepEqual(parseCreateUserBody({ email: 'ada@example.com', role: 'admin' }), { email: 'ada@example.com', role: 'admin' });
    assert.deepEqual(parseUpdateUserBody({ disabled: true }), { disabled: true });
    assert.deepEqual(parseUpdateUserBody({ role: 'member', disabled: false }), { role: 'member', disabled: false });
    assert.deepEqual(parseChangePasswordBody({ current_password: 'x', new_password: 'a long enough one' }), { current_password: 'x', new_password: 'a long enough one' });
  });

  it('names the offending field in a 400', () => {
    const cases: [(b: unknown) => unknown, unknown, string][] = [
      [parseCreateUserBody, null, '(body)'],
      [parseCreateUserBody, [], '(body)'],
      [parseCreateUserBody, { role: 'admin' }, 'email'],
      [parseCreateUserBody, { email: 'a\u0000b@example.com', role: 'admin' }, 'email'],
      [parseCreateUserBody, { email: 'not an email', role: 'admin' }, 'email'],
      [parseCreateUserBody, { email: `${'a'.repeat(300)}@x.io`, role: 'admin' }, 'email'],
      [parseCreateUserBody, { email: 'a@b.c', role: 'root' }, 'role'],
      [parseCreateUserBody, { email: 'a@b.c', role: {} }, 'role'],
      [parseCreateUserBody, { email: 'a@b.c', role: 'admin', password: 'x' }, 'password'],
      [parseUpdateUserBody, {}, '(body)'],
      [parseUpdateUserBody, { disabled: 'yes' }, 'disabled'],
      [parseUpdateUserBody, { email: 'x@y.z' }, 'email'],
      [parseChangePasswordBody, { current_password: 'x' }, 'new_password'],
      [parseChangePasswordBody, { current_password: 'x', new_password: 'short' }, 'new_password'],
      [parseChangePasswordBody, { current_password: 'x', new_password: 'has a \u0000 nul inside' }, 'new_password'],
      [parseChangePasswordBody, { current_password: 'x'.repeat(2000), new_password: 'long enough' }, 'current_password'],
    ];
    for (const [parse, body, param] of cases) assert.throws(() => parse(body), { status: 400, param }, JSON.stringify(body)?.slice(0, 80));
  });
});
