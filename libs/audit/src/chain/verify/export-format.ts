import type { AuditCheckpoint, ChainedAuditEvent } from '../audit-event.types';

/**
 * The JSON Lines export, shared by the API's exporter and the offline verifier:
 * - an event line is the {@link ChainedAuditEvent} object itself, per org in ascending seq;
 * - a checkpoint line is `{"checkpoint": AuditCheckpoint}`; an export carries the checkpoints with seqs inside its
 *   events' range (a valid checkpoint past the last event tells the verifier events were cut off);
 * - an optional last line per org `{"export": AuditExportMeta}`. Nothing in it is signed: the verifier uses `head`
 *   only to catch a cut tail, and `public_keys` only when explicitly told to trust them. `first_seq`, `last_seq`
 *   and `filtered` are optional (exporters that know them should write them).
 * Events are only structurally checked here (the fields the chain needs); every other field is covered by the hash,
 * so an edited or removed field reads as `hash_mismatch`, and events of earlier format versions still parse.
 */
export interface AuditExportMeta {
  org_id: string;
  generated_at: string;
  /** Event lines of this org in the file. */
  count: number;
  /** The org's chain head when the file was made (at or past the last event). */
  head: { seq: number; entry_hash: string } | null;
  /** Seq range of the file's events (null when none). */
  first_seq?: number | null;
  last_seq?: number | null;
  /** Filters other than the seq/time range thinned the events: gaps are by design, links checkable only between neighbours. */
  filtered?: boolean;
  /** Public key (base64 SPKI DER or PEM) by key id: the keys that signed the included checkpoints. */
  public_keys: Record<string, string>;
}

export type ExportLine =
  | { kind: 'event'; event: ChainedAuditEvent }
  | { kind: 'checkpoint'; checkpoint: AuditCheckpoint }
  | { kind: 'export'; meta: AuditExportMeta };

/** A line that is not part of the format; `line` is 1-based. */
export class ExportFormatError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'ExportFormatError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field readers that name the field (with its path) in the error. */
function fields(line: number, o: Obj, path: string) {
  const fail = (name: string, want: string): never => {
    const got = o[name] === undefined ? 'missing' : `got ${JSON.stringify(o[name])?.slice(0, 40)}`;
    throw new ExportFormatError(line, `${path}.${name} must be ${want} (${got})`);
  };
  const isSeq = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;
  return {
    str: (name: string): string => (typeof o[name] === 'string' && o[name] !== '' ? o[name] : fail(name, 'a non-empty string')),
    int: (name: string, min: number): number => (isSeq(o[name], min) ? o[name] : fail(name, `an integer >= ${min}`)),
    hex: (name: string): string => (typeof o[name] === 'string' && HEX64.test(o[name]) ? o[name] : fail(name, '64 lower-case hex characters')),
    obj: (name: string): Obj => (isObj(o[name]) ? o[name] : fail(name, 'an object')),
    /** Absent stays absent; present must be `null` or an integer >= 1. */
    optSeq: (name: string): number | null | undefined => {
      const v = o[name];
      return v === undefined || v === null || isSeq(v, 1) ? v : fail(name, 'null or an integer >= 1');
    },
    optBool: (name: string): boolean | undefined => {
      const v = o[name];
      return v === undefined || typeof v === 'boolean' ? v : fail(name, 'a boolean');
    },
  };
}

function parseEvent(line: number, o: Obj): ChainedAuditEvent {
  const f = fields(line, o, 'event');
  f.str('org_id');
  f.int('seq', 1);
  f.hex('prev_hash');
  f.hex('entry_hash');
  return o as unknown as ChainedAuditEvent;
}

function parseCheckpoint(line: number, o: Obj): AuditCheckpoint {
  const f = fields(line, o, 'checkpoint');
  // Only the named fields: extra ones are not signed, so they are not carried.
  return { org_id: f.str('org_id'), seq: f.int('seq', 1), entry_hash: f.hex('entry_hash'), created_at: f.str('created_at'), key_id: f.str('key_id'), signature: f.str('signature') };
}

function parseMeta(line: number, o: Obj): AuditExportMeta {
  const f = fields(line, o, 'export');
  const head = o.head === null ? null : fields(line, f.obj('head'), 'export.head');
  const keys = f.obj('public_keys');
  for (const [id, k] of Object.entries(keys)) {
    if (typeof k !== 'string' || k === '') throw new ExportFormatError(line, `export.public_keys.${id} must be a base64 SPKI DER string`);
  }
  return {
    org_id: f.str('org_id'),
    generated_at: f.str('generated_at'),
    count: f.int('count', 0),
    head: head && { seq: head.int('seq', 0), entry_hash: head.hex('entry_hash') },
    ...optional({ first_seq: f.optSeq('first_seq'), last_seq: f.optSeq('last_seq'), filtered: f.optBool('filtered') }),
    public_keys: keys as Record<string, string>,
  };
}

/** Drops the undefined entries (a field the line did not have is not added). */
const optional = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The only key of a wrapper line (`checkpoint` / `export`), checked to stand alone. */
function wrapper(line: number, o: Obj, key: 'checkpoint' | 'export'): Obj {
  if (Object.keys(o).length !== 1) throw new ExportFormatError(line, `a ${key} line holds only the "${key}" key`);
  if (!isObj(o[key])) throw new ExportFormatError(line, `"${key}" must be an object`);
  return o[key];
}

/**
 * One line of an export, classified and structurally checked.
 * @param lineNo 1-based line number, used in every error.
 * @throws ExportFormatError naming the line: invalid JSON, not an object, a missing field or a wrong type.
 */
export function parseExportLine(line: string, lineNo: number): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new ExportFormatError(lineNo, `invalid JSON (${(err as Error).message})`);
  }
  if (!isObj(value)) throw new ExportFormatError(lineNo, 'expected a JSON object');
  if (Object.hasOwn(value, 'checkpoint')) return { kind: 'checkpoint', checkpoint: parseCheckpoint(lineNo, wrapper(lineNo, value, 'checkpoint')) };
  if (Object.hasOwn(value, 'export')) return { kind: 'export', meta: parseMeta(lineNo, wrapper(lineNo, value, 'export')) };
  return { kind: 'event', event: parseEvent(lineNo, value) };
}

/** One export line, newline-terminated (what the exporter writes and {@link parseExportLine} reads back). */
export function formatExportLine(l: ExportLine): string {
  switch (l.kind) {
    case 'event':
      return `${JSON.stringify(l.event)}\n`;
    case 'checkpoint':
      return `${JSON.stringify({ checkpoint: l.checkpoint })}\n`;
    case 'export':
      return `${JSON.stringify({ export: l.meta })}\n`;
  }
}
