import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AuditCheckpoint, ChainedAuditEvent } from '../chain/audit-event.types';
import { ChainVerifier, type VerifyReport } from '../chain/chain-verifier';
import { entryHash } from '../chain/entry-hash';

/** The last line of an export: what it holds and which keys signed its checkpoints. */
export interface ExportMeta {
  org_id: string;
  generated_at: string;
  count: number;
  first_seq: number | null;
  last_seq: number | null;
  /** True when filters other than the time range thinned it: then links between its events cannot be checked. */
  filtered: boolean;
  head: { seq: number; entry_hash: string };
  public_keys: Record<string, string>;
}

type Line = { kind: 'event'; event: ChainedAuditEvent } | { kind: 'checkpoint'; checkpoint: AuditCheckpoint } | { kind: 'export'; meta: ExportMeta };

/** Thrown for a line that is not part of the format; names the line. */
export class ExportFormatError extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One line of a JSON Lines export: an event, `{"checkpoint": …}` or `{"export": …}`. */
export function parseExportLine(text: string, n: number): Line {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ExportFormatError(`line ${n}: not JSON`);
  }
  if (!isObj(v)) throw new ExportFormatError(`line ${n}: not a JSON object`);
  if (isObj(v.checkpoint)) {
    const c = v.checkpoint;
    if (typeof c.org_id !== 'string' || typeof c.seq !== 'number' || typeof c.entry_hash !== 'string' || typeof c.signature !== 'string' || typeof c.key_id !== 'string' || typeof c.created_at !== 'string') {
      throw new ExportFormatError(`line ${n}: malformed checkpoint`);
    }
    return { kind: 'checkpoint', checkpoint: c as unknown as AuditCheckpoint };
  }
  if (isObj(v.export)) return { kind: 'export', meta: v.export as unknown as ExportMeta };
  if (typeof v.event_id !== 'string' || typeof v.org_id !== 'string' || typeof v.seq !== 'number' || typeof v.entry_hash !== 'string' || typeof v.prev_hash !== 'string') {
    throw new ExportFormatError(`line ${n}: not an audit event (event_id, org_id, seq, prev_hash, entry_hash required)`);
  }
  return { kind: 'event', event: v as unknown as ChainedAuditEvent };
}

async function* lines(path: string): AsyncGenerator<Line> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() !== '') yield parseExportLine(text, n);
  }
}

export interface FileReport extends VerifyReport {
  org_id: string;
  filtered: boolean;
}

/**
 * Verifies an export file offline with the given public keys, in two streaming passes (constant memory): the first
 * collects the checkpoints and the export line (they follow the events), the second verifies the events of each
 * organisation against them. A filtered export has gaps by design: its events' own hashes are checked, not links.
 */
export async function verifyExportFile(path: string, keys: ReadonlyMap<string, KeyObject>, opts: { trustEmbeddedKeys?: boolean } = {}): Promise<FileReport[]> {
  const checkpoints = new Map<string, AuditCheckpoint[]>();
  const metas = new Map<string, ExportMeta>();
  for await (const l of lines(path)) {
    if (l.kind === 'checkpoint') checkpoints.set(l.checkpoint.org_id, [...(checkpoints.get(l.checkpoint.org_id) ?? []), l.checkpoint]);
    else if (l.kind === 'export') metas.set(l.meta.org_id, l.meta);
  }
  const publicKeys = new Map(keys);
  if (opts.trustEmbeddedKeys) {
    for (const m of metas.values()) for (const [id, pem] of Object.entries(m.public_keys ?? {})) if (!publicKeys.has(id)) publicKeys.set(id, createPublicKey(pem));
  }
  const verifiers = new Map<string, ChainVerifier>();
  const hashOnly = new Map<string, FileReport>();
  for await (const l of lines(path)) {
    if (l.kind !== 'event') continue;
    const org = l.event.org_id;
    if (metas.get(org)?.filtered) {
      checkHash(hashOnly, l.event);
      continue;
    }
    let v = verifiers.get(org);
    if (!v) {
      v = new ChainVerifier({ orgId: org, publicKeys, startSeq: l.event.seq });
      for (const cp of checkpoints.get(org) ?? []) v.addCheckpoint(cp);
      verifiers.set(org, v);
    }
    v.addEvent(l.event);
  }
  const chained = [...verifiers].map(([org, v]): FileReport => {
    const meta = metas.get(org);
    return { ...v.finish(meta && meta.last_seq === meta.head.seq ? meta.head : undefined), org_id: org, filtered: false };
  });
  return [...chained, ...hashOnly.values()];
}

/** A filtered export: each event's own hash (links between its events cannot be checked: the filter made gaps). */
function checkHash(reports: Map<string, FileReport>, e: ChainedAuditEvent): void {
  let r = reports.get(e.org_id);
  if (!r) {
    r = { ok: true, checked: 0, first_seq: e.seq, last_seq: e.seq, checkpoints_verified: 0, anchored_through: null, first_break: null, org_id: e.org_id, filtered: true };
    reports.set(e.org_id, r);
  }
  r.checked++;
  r.last_seq = e.seq;
  if (entryHash(e) !== e.entry_hash && (!r.first_break || e.seq < r.first_break.seq)) {
    r.ok = false;
    r.first_break = { seq: e.seq, reason: 'hash_mismatch', detail: 'the stored entry_hash is not the hash of the stored content' };
  }
}
