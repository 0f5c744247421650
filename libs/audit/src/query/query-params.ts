import { AUDIT_EVENT_CLASSES } from '../chain/audit-event.types';
import {
  AUDIT_DECISIONS,
  AUDIT_EXPORT_FORMATS,
  AuditQueryError,
  quote,
  type AuditQuery,
  type AuditQueryEndpoint,
} from './audit-query';
import { decodeCursor } from './cursor';
import { parseEnum, parseEnumList, parseInteger, parseStatus, parseText, parseTime } from './query-values';

export interface AuditQueryOptions {
  /** Largest page a client may ask for (1,000 for the events API). */
  maxLimit: number;
  /** Page size when `limit` is not given. */
  defaultLimit: number;
  /** `events` (default): filters, `limit`, `cursor`; `export`: filters, `format`; `stats`: filters. */
  endpoint?: AuditQueryEndpoint;
}

type Setter = (q: AuditQuery, raw: string, opts: AuditQueryOptions) => void;

type TextKey = 'reasonCode' | 'policyId' | 'projectId' | 'userId' | 'policyUser' | 'keyId' | 'model' | 'surface' | 'category' | 'requestId';
const text = (param: string, key: TextKey): Setter => (q, raw) => (q[key] = parseText(param, raw));
/** `class` and its alias `event_type`: one class or a comma list; giving both is refused (which would win?). */
const classList = (param: 'class' | 'event_type'): Setter => (q, raw) => {
  if (q.classes) throw new AuditQueryError(param, `${param}: give class or event_type, not both`);
  q.classes = parseEnumList(param, raw, AUDIT_EVENT_CLASSES);
};

/** The filters every endpoint accepts, by query parameter. */
const FILTERS: Record<string, Setter> = {
  from: (q, raw) => (q.from = parseTime('from', raw)),
  to: (q, raw) => (q.to = parseTime('to', raw)),
  class: classList('class'),
  event_type: classList('event_type'),
  decision: (q, raw) => (q.decision = parseEnum('decision', raw, AUDIT_DECISIONS)),
  effective_decision: (q, raw) => (q.effectiveDecision = parseEnum('effective_decision', raw, AUDIT_DECISIONS)),
  reason_code: text('reason_code', 'reasonCode'),
  policy_id: text('policy_id', 'policyId'),
  project_id: text('project_id', 'projectId'),
  user_id: text('user_id', 'userId'),
  policy_user: text('policy_user', 'policyUser'),
  key_id: text('key_id', 'keyId'),
  model: text('model', 'model'),
  surface: text('surface', 'surface'),
  category: text('category', 'category'),
  status: (q, raw) => (q.status = parseStatus('status', raw)),
  request_id: text('request_id', 'requestId'),
};

const EXTRA: Record<AuditQueryEndpoint, Record<string, Setter>> = {
  events: {
    limit: (q, raw, o) => (q.limit = parseInteger('limit', raw, 1, o.maxLimit)),
    cursor: (q, raw) => (q.beforeSeq = decodeCursor(raw)),
  },
  export: { format: (q, raw) => (q.format = parseEnum('format', raw, AUDIT_EXPORT_FORMATS)) },
  stats: {},
};

/** A single, non-empty string value, or a 400 saying what is wrong with it (repeated, nested, empty). */
function single(param: string, value: unknown): string {
  if (Array.isArray(value)) throw new AuditQueryError(param, `${param}: given more than once; give it once (lists are comma-separated)`);
  if (typeof value !== 'string') throw new AuditQueryError(param, `${param}: must be a single plain value`);
  if (value === '') throw new AuditQueryError(param, `${param}: empty value; leave the parameter out instead`);
  return value;
}

/**
 * Validates the query string of `GET /api/audit/events`, `/export` and `/stats` (an Express `req.query`
 * object). Refuses unknown, repeated and empty parameters and bad values with an {@link AuditQueryError}
 * naming the parameter, so a typo in a filter never silently widens an auditor's result.
 */
export function parseAuditQuery(raw: Record<string, unknown>, opts: AuditQueryOptions): AuditQuery {
  const setters = { ...FILTERS, ...EXTRA[opts.endpoint ?? 'events'] };
  const q: AuditQuery = { limit: opts.defaultLimit };
  for (const [key, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    const set = Object.hasOwn(setters, key) ? setters[key] : undefined;
    if (!set) {
      const name = Array.from(key).slice(0, 64).join('');
      throw new AuditQueryError(name, `${quote(key)}: unknown parameter; accepted: ${Object.keys(setters).join(', ')}`);
    }
    set(q, single(key, value), opts);
  }
  if (q.from && q.to && q.from.getTime() >= q.to.getTime()) {
    throw new AuditQueryError('to', `to: must be later than from (the range is [from, to), to exclusive)`);
  }
  if (opts.endpoint === 'export') q.format ??= 'jsonl';
  return q;
}
