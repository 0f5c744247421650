import { createHmac, randomUUID } from 'node:crypto';
import type { Rng } from './prng';

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An HS256 JWT over `claims` with `secret` (or a bogus signature when `secret` is undefined). */
function sign(header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | undefined): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = secret === undefined ? 'AAAA' : createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${sig}`;
}

/** The claims of a real token, read without verification (the fuzz builds hostile variants of them). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * A token that verifies (or nearly) but carries hostile claims: an unknown user or organisation, a made-up
 * role, a past or absurd expiry, a NUL in `sub`, `alg: none`, a wrong secret. Returns [label, token].
 */
export function forgedJwt(rng: Rng, real: string, secret: string): [string, string] {
  const c = claimsOf(real);
  const now = Math.floor(Date.now() / 1000);
  const hs = { alg: 'HS256', typ: 'JWT' };
  const variants: Array<[string, () => string]> = [
    ['unknown user', () => sign(hs, { ...c, sub: randomUUID(), jti: randomUUID() }, secret)],
    ['unknown org', () => sign(hs, { ...c, org: randomUUID() }, secret)],
    ['sub not a uuid', () => sign(hs, { ...c, sub: 'not-a-uuid' }, secret)],
    ['NUL in sub', () => sign(hs, { ...c, sub: 'a\u0000b' }, secret)],
    ['role superadmin', () => sign(hs, { ...c, role: 'superadmin' }, secret)],
    ['expired', () => sign(hs, { ...c, exp: now - 10 }, secret)],
    ['exp 1e308', () => sign(hs, { ...c, exp: 1e308 }, secret)],
    ['exp as string', () => sign(hs, { ...c, exp: String(now + 600) }, secret)],
    ['no claims', () => sign(hs, {}, secret)],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(c)}.`],
    ['wrong secret', () => sign(hs, c, 'another-secret-0123456789abcdefghijklmnop')],
    ['bad signature', () => sign(hs, c, undefined)],
    ['payload not JSON', () => `${b64(hs)}.${b64('{not json')}.AAAA`],
    ['four segments', () => `${real}.AAAA`],
  ];
  const [label, make] = rng.pick(variants);
  return [label, make()];
}
