import type { ChainedAuditEvent } from '../chain/audit-event.types';

/**
 * CSV export of audit events (RFC 4180): a fixed header, one row per event, CRLF after every record
 * (header included), so `csvHeader() + rows.join('')` is the whole file. Spreadsheets are a target, so
 * text that a spreadsheet would run as a formula is defused (OWASP "CSV injection").
 */

type Cell = string | number | boolean | null | undefined;

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The policy fields of an enforcement event, or of a revision (which carries `policy_id`/`policy_version` at the top). */
const policyField = (e: ChainedAuditEvent, key: string): unknown => obj(e.attributes.policy)[key] ?? (key.startsWith('policy_') ? e.attributes[key] : undefined);

/** Categories the policy triggered, then those of a flagged `/v1` request, each once. */
function categories(e: ChainedAuditEvent): string {
  const all = [...strings(obj(e.attributes.policy).triggered_categories), ...strings(obj(e.attributes.flagged_categories).triggered)];
  return [...new Set(all)].join(';');
}

/** A JSON value as a cell: scalars as themselves, anything else as its JSON text. */
const cell = (v: unknown): Cell => (v === null || v === undefined || ['string', 'number', 'boolean'].includes(typeof v) ? (v as Cell) : JSON.stringify(v));

/** The columns, in order, with how each is read from an event. */
const COLUMNS: ReadonlyArray<readonly [string, (e: ChainedAuditEvent) => Cell]> = [
  ['event_id', (e) => e.event_id],
  ['event_type', (e) => e.event_type],
  ['created_at', (e) => e.created_at],
  ['occurred_at', (e) => e.occurred_at],
  ['org_id', (e) => e.org_id],
  ['seq', (e) => e.seq],
  ['project_id', (e) => e.project_id],
  ['principal_kind', (e) => e.principal.kind],
  ['key_id', (e) => e.principal.key_id],
  ['key_preview', (e) => e.principal.key_preview],
  ['user_id', (e) => e.principal.user_id],
  ['request_id', (e) => e.request_id],
  ['surface', (e) => e.surface],
  ['model', (e) => e.model],
  ['provider', (e) => e.provider],
  ['status', (e) => e.status],
  ['http_status', (e) => e.http_status],
  ['error_code', (e) => e.error_code],
  ['decision', (e) => cell(policyField(e, 'decision'))],
  ['effective_decision', (e) => cell(policyField(e, 'effective_decision'))],
  ['reason_code', (e) => cell(policyField(e, 'reason_code'))],
  ['policy_id', (e) => cell(policyField(e, 'policy_id'))],
  ['policy_version', (e) => cell(policyField(e, 'policy_version'))],
  ['triggered_categories', categories],
  ['input_tokens', (e) => e.input_tokens],
  ['output_tokens', (e) => e.output_tokens],
  ['latency_ms', (e) => e.latency_ms],
  ['ttft_ms', (e) => e.ttft_ms],
  ['entry_hash', (e) => e.entry_hash],
];

/** The column names, in order (for documentation and tests). */
export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/** Leading characters a spreadsheet reads as a formula (`= + - @`) or that hide one (TAB, CR), per OWASP. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One field. Text starting like a formula gets a leading `'` (shown by spreadsheets as text, visible
 * to anyone reading the file); numbers are written as numbers, negative ones included. Fields with a
 * comma, quote, CR or LF are quoted with inner quotes doubled.
 */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const record = (cells: Cell[]): string => `${cells.map(csvField).join(',')}\r\n`;

/** The header record (with its CRLF). */
export function csvHeader(): string {
  return record([...CSV_COLUMNS]);
}

/** One event as a record (with its CRLF). */
export function csvRow(e: ChainedAuditEvent): string {
  return record(COLUMNS.map(([, read]) => read(e)));
}
