import { isAsciiAlnum } from './text';
import type { Span } from '../types';

const MAX_HEADER = 2048;
const MAX_TOKEN = 16384;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_VALUE[B64URL.charCodeAt(i)] = i;

const isB64url = (c: number): boolean => isAsciiAlnum(c) || c === 45 || c === 95;

/**
 * A JSON Web Token starting at `i` (at its `eyJ`): three base64url segments joined by dots whose first decodes to
 * a JSON object with a string `alg`. Checking the header is what separates a token from any dotted base64 text.
 * The signature may be empty only for `"alg":"none"`.
 */
export function jwtAt(text: string, i: number): Span | null {
  const limit = Math.min(text.length, i + MAX_TOKEN);
  const h = segmentEnd(text, i, Math.min(limit, i + MAX_HEADER));
  if (text.charCodeAt(h) !== 46) return null;
  const p = segmentEnd(text, h + 1, limit);
  if (p === h + 1 || text.charCodeAt(p) !== 46) return null;
  const s = segmentEnd(text, p + 1, limit);
  if (s < limit && (isB64url(text.charCodeAt(s)) || (text.charCodeAt(s) === 46 && isB64url(text.charCodeAt(s + 1))))) return null;
  const alg = headerAlg(text.slice(i, h));
  if (alg === null || (s === p + 1 && alg !== 'none')) return null;
  return { start: i, end: s };
}

function segmentEnd(text: string, i: number, limit: number): number {
  let j = i;
  while (j < limit && isB64url(text.charCodeAt(j))) j++;
  return j;
}

/** The `alg` of a base64url JOSE header, or null when it is not a JSON object with a string `alg`. */
function headerAlg(segment: string): string | null {
  const json = decodeBase64url(segment);
  if (json === null) return null;
  try {
    const header: unknown = JSON.parse(json);
    if (typeof header !== 'object' || header === null) return null;
    const alg = (header as { alg?: unknown }).alg;
    return typeof alg === 'string' ? alg : null;
  } catch {
    return null;
  }
}

/** Bytes of unpadded base64url as a Latin-1 string (enough for JSON.parse of an ASCII header), or null. */
export function decodeBase64url(s: string): string | null {
  if (s.length % 4 === 1) return null;
  let out = '';
  let buf = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64URL_VALUE[c] : -1;
    if (v < 0) return null;
    buf = ((buf << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buf >> bits) & 0xff);
    }
  }
  return out;
}
