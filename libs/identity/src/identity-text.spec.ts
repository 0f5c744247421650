import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAcceptablePassword, isEmail, isPlainText, rethrowCallerFault } from './identity-text';
import { managesRole, ROLES } from './role';

describe('identity text checks', () => {
  it('plain text refuses control characters and lone surrogates, keeps the rest of Unicode', () => {
    for (const ok of ['abc', 'Zoë & co', '日本語', 'emoji 😀', '']) assert.equal(isPlainText(ok), true, ok);
    for (const bad of ['a\u0000b', 'tab\there', 'line\n', '\u001b[31m', '\u007f', '\u0085', 'x\ud800', '\udc00y']) assert.equal(isPlainText(bad), false, JSON.stringify(bad));
  });

  it('emails and passwords', () => {
    assert.equal(isEmail('ada@example.com'), true);
    for (const bad of ['ada', 'a b@c', 'a@b@c', 'a\u0000@b', `${'a'.repeat(250)}@b.co`]) assert.equal(isEmail(bad), false, bad);
    assert.equal(isAcceptablePassword('12345678'), true);
    for (const bad of ['1234567', 'x'.repeat(1025), 'pass\u0000word']) assert.equal(isAcceptablePassword(bad), false);
  });

  it('maps the database errors a caller causes to 4xx and rethrows the rest', () => {
    const pg = (code: string) => Object.assign(new Error('pg'), { code });
    assert.throws(() => rethrowCallerFault(pg('22021'), 'label'), { status: 400, param: 'label' });
    assert.throws(() => rethrowCallerFault({ driverError: { code: '22P05' } }, 'label'), { status: 400, param: 'label' });
    assert.throws(() => rethrowCallerFault(pg('23505'), 'email'), { status: 409, code: 'already_exists', param: 'email' });
    assert.throws(() => rethrowCallerFault(pg('23503'), 'label'), { status: 401 });
    const other = pg('53300');
    assert.throws(() => rethrowCallerFault(other, 'label'), (e) => e === other);
  });
});

describe('managesRole (who manages whom)', () => {
  it('owners manage everyone, admins everyone but owners, auditors and members nobody', () => {
    const table = Object.fromEntries(ROLES.map((a) => [a, ROLES.filter((t) => managesRole(a, t))]));
    assert.deepEqual(table, { owner: ['owner', 'admin', 'auditor', 'member'], admin: ['admin', 'auditor', 'member'], auditor: [], member: [] });
  });
});
