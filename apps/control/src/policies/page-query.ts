import { isPolicyId, PolicyStoreError } from '@gw/policy';

/** Page sizes of the policy lists. */
export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;
/** OpenAPI of the two query parameters. */
export const LIMIT_QUERY = { name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT } };
export const CURSOR_QUERY = { name: 'cursor', required: false, description: "The previous page's next_cursor" };

/** Where a page starts: after this policy id (policies, id order), or below this version (versions, newest first). */
export type PageStart<K extends 'policy' | 'version'> = K extends 'policy' ? string : number;

export interface PageQuery<T> {
  limit: number;
  after: T | null;
}

const PARAMS = new Set(['limit', 'cursor']);
const PREFIX = { policy: 'p:', version: 'v:' } as const;
const VERSION = /^[1-9][0-9]{0,9}$/;
const MAX_INT = 2 ** 31 - 1;

const invalid = (message: string, param: string) => PolicyStoreError.invalid(message, param);
const shown = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s).replace(/[^\x20-\x7e]/g, '?');

/**
 * `?limit=&cursor=` of the list routes. Cursors are opaque (base64url of `p:<id>` or `v:<n>`), so the ordering
 * key can change later without breaking clients; a cursor of the other list, or a made-up one, is a 400.
 */
export function parsePageQuery<K extends 'policy' | 'version'>(query: unknown, kind: K): PageQuery<PageStart<K>> {
  const q = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).find((k) => !PARAMS.has(k));
  if (unknown !== undefined) throw invalid(`Unknown query parameter: '${shown(unknown)}' (expected 'limit' and/or 'cursor')`, shown(unknown));
  for (const k of PARAMS) if (Array.isArray(q[k])) throw invalid(`Invalid '${k}': given more than once`, k);
  let limit = DEFAULT_PAGE_LIMIT;
  if (q.limit !== undefined) {
    const raw = typeof q.limit === 'string' ? q.limit : '';
    limit = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE_LIMIT)) throw invalid(`Invalid 'limit': expected an integer from 1 to ${MAX_PAGE_LIMIT}, got '${shown(raw)}'`, 'limit');
  }
  if (q.cursor === undefined) return { limit, after: null };
  const after = typeof q.cursor === 'string' ? decodeCursor(q.cursor, kind) : null;
  if (after === null) throw invalid("Invalid 'cursor': not a cursor of this list (pass 'next_cursor' back unchanged)", 'cursor');
  return { limit, after };
}

export function encodeCursor<K extends 'policy' | 'version'>(kind: K, after: PageStart<K>): string {
  return Buffer.from(`${PREFIX[kind]}${after}`).toString('base64url');
}

function decodeCursor<K extends 'policy' | 'version'>(cursor: string, kind: K): PageStart<K> | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text).toString('base64url') !== cursor || !text.startsWith(PREFIX[kind])) return null;
  const value = text.slice(PREFIX[kind].length);
  if (kind === 'policy') return (isPolicyId(value) ? value : null) as PageStart<K> | null;
  return (VERSION.test(value) && Number(value) <= MAX_INT ? Number(value) : null) as PageStart<K> | null;
}

/** One page from `limit + 1` rows: the extra row only says there is more. */
export function page<R, W>(rows: R[], limit: number, wire: (r: R) => W, cursorOf: (r: R) => string): { data: W[]; has_more: boolean; next_cursor: string | null } {
  const has_more = rows.length > limit;
  const shownRows = rows.slice(0, limit);
  const last = shownRows.at(-1);
  return { data: shownRows.map(wire), has_more, next_cursor: has_more && last !== undefined ? cursorOf(last) : null };
}
