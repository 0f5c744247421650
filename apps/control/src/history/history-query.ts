import { DateTime } from 'luxon';
import { isPolicyId, PolicyStoreError, type Decision, type HistoryFilter, type HistoryPosition } from '@gw/policy';

export interface HistoryQuery {
  filter: Omit<HistoryFilter, 'orgId'>;
  limit: number;
  after: HistoryPosition | null;
}

/** The spec's example page size; `POLICY_HISTORY_LIMIT` caps it (a smaller cap is the default too). */
export const DEFAULT_HISTORY_LIMIT = 50;

const PARAMS = ['type', 'policy_id', 'project_id', 'decision', 'from', 'to', 'limit', 'cursor'] as const;
const TYPES = ['revision', 'enforcement'];
const DECISIONS: readonly Decision[] = ['allow', 'redact', 'rewrite', 'summary', 'escalate', 'refuse'];
const PROJECT_ID = /^proj_[a-z0-9][a-z0-9_]{0,62}$/;
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[1-9][0-9]{0,18}$/;
const SOURCE = { r: 'revision', e: 'enforcement' } as const;

const invalid = (message: string, param: string) => PolicyStoreError.invalid(message, param);
const shown = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s).replace(/[^\x20-\x7e]/g, '?');

/** ISO-8601 with or without an offset (none: UTC); a date alone is its midnight. */
function instant(raw: string, param: string): Date {
  const t = DateTime.fromISO(raw, { zone: 'utc' });
  if (!t.isValid) throw invalid(`Invalid '${param}': expected an ISO-8601 time such as 2026-04-20T18:30:00Z, got '${shown(raw)}'`, param);
  return t.toJSDate();
}

/**
 * `GET /api/policy-gateway/history` query: filters, `limit` and the opaque cursor. Every bad value is a 400 naming
 * its parameter; an unknown parameter too (a misspelt filter must not silently widen an audit query).
 */
export function parseHistoryQuery(query: unknown, maxLimit: number): HistoryQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).find((k) => !(PARAMS as readonly string[]).includes(k));
  if (unknown !== undefined) throw invalid(`Unknown query parameter: '${shown(unknown)}' (expected ${PARAMS.join(', ')})`, shown(unknown));
  const value = (k: (typeof PARAMS)[number]): string | undefined => {
    const v = q[k];
    if (Array.isArray(v)) throw invalid(`Invalid '${k}': given more than once`, k);
    return typeof v === 'string' ? v : undefined;
  };
  const filter: HistoryQuery['filter'] = {};
  const type = value('type');
  if (type !== undefined) {
    if (!TYPES.includes(type)) throw invalid(`Invalid 'type': expected 'revision' or 'enforcement', got '${shown(type)}'`, 'type');
    filter.type = type as HistoryFilter['type'];
  }
  const policyId = value('policy_id');
  if (policyId !== undefined) {
    if (!isPolicyId(policyId)) throw invalid("Invalid 'policy_id': a policy id is a lower-case slug, [a-z0-9][a-z0-9_.-]{0,127}", 'policy_id');
    filter.policyId = policyId;
  }
  const projectId = value('project_id');
  if (projectId !== undefined) {
    if (!PROJECT_ID.test(projectId)) throw invalid("Invalid 'project_id': a project id looks like proj_support_bot", 'project_id');
    filter.projectId = projectId;
  }
  const decision = value('decision');
  if (decision !== undefined) {
    if (!(DECISIONS as readonly string[]).includes(decision)) throw invalid(`Invalid 'decision': expected one of ${DECISIONS.join(', ')}`, 'decision');
    filter.decision = decision;
  }
  for (const k of ['from', 'to'] as const) {
    const raw = value(k);
    if (raw !== undefined) filter[k] = instant(raw, k);
  }
  if (filter.from && filter.to && filter.from > filter.to) throw invalid("Invalid 'from': it is later than 'to'", 'from');
  const cap = Math.max(1, maxLimit);
  let limit = Math.min(DEFAULT_HISTORY_LIMIT, cap);
  const rawLimit = value('limit');
  if (rawLimit !== undefined) {
    limit = /^[0-9]{1,7}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= cap)) throw invalid(`Invalid 'limit': expected an integer from 1 to ${cap}, got '${shown(rawLimit)}'`, 'limit');
  }
  const cursor = value('cursor');
  const after = cursor === undefined ? null : decodeHistoryCursor(cursor);
  if (cursor !== undefined && after === null) throw new PolicyStoreError('invalid_cursor', "Invalid 'cursor': not a cursor of this list (pass 'next_cursor' back unchanged)", 'cursor');
  return { filter, limit, after };
}

/** Opaque to clients: base64url of `<time with µs>|<r|e>|<id>`, a total order across both sources. */
export function encodeHistoryCursor(p: HistoryPosition): string {
  return Buffer.from(`${p.at}|${p.source === 'revision' ? 'r' : 'e'}|${p.id}`).toString('base64url');
}

export function decodeHistoryCursor(cursor: string): HistoryPosition | null {
  if (!/^[A-Za-z0-9_-]{1,120}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (Buffer.from(text).toString('base64url') !== cursor) return null;
  const [at, s, id, ...rest] = text.split('|');
  if (rest.length > 0 || !AT.test(at ?? '') || (s !== 'r' && s !== 'e') || !ID.test(id ?? '') || BigInt(id) > 2n ** 63n - 1n) return null;
  if (!DateTime.fromISO(at, { zone: 'utc' }).isValid) return null;
  return { at, source: SOURCE[s], id };
}
