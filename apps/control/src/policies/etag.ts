import { PolicyStoreError, type IfMatch } from '@gw/policy';
import type { FastifyReply } from 'fastify';

/** A policy's entity tag is its latest version: numbers are never reused, even across a delete and re-create. */
export const etagOf = (version: number): string => `"${version}"`;

export function setEtag(reply: FastifyReply, version: number): void {
  void reply.header('etag', etagOf(version));
}

/** OpenAPI of the writes' `If-Match`: the ETag last read; a stale one is a 412 `precondition_failed`, nothing saved. */
export const IF_MATCH = { name: 'if-match', required: false, description: 'The policy\'s ETag ("<version>") as last read; 412 precondition_failed when it is no longer current' };

const TAG = /^"([1-9][0-9]{0,9})"$/;

/**
 * `If-Match` (RFC 9110 §13.1.1): `*`, or a list of strong entity tags. Absent: no precondition (undefined).
 * Weak tags (`W/"3"`) never match under the strong comparison If-Match uses, so they count as a mismatch; anything
 * that is not an entity tag at all (a bare `3`) is a 400, since it is a client bug rather than a stale read.
 */
export function parseIfMatch(header: string | string[] | undefined): IfMatch | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return '*';
  const versions: number[] = [];
  for (const raw of value.split(',')) {
    const tag = raw.trim();
    const strong = TAG.exec(tag);
    if (strong) versions.push(Number(strong[1]));
    else if (!/^W\/"[^"]*"$/.test(tag) && !/^"[^"]*"$/.test(tag)) {
      throw PolicyStoreError.invalid(`Invalid 'If-Match': expected '*' or entity tags such as "3" (with the quotes), as sent in the ETag header`, 'If-Match');
    }
  }
  return versions;
}
