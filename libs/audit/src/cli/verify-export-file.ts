import type { KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditCheckpoint } from '../chain/audit-event.types';
import { ChainVerifier, type VerifyReport } from '../chain/verify/chain-verifier';
import { keysById, loadPublicKey } from '../chain/verify/checkpoint-keys';
import { ExportFormatError, parseExportLine, type AuditExportMeta, type ExportLine } from '../chain/verify/export-format';

/**
 * One organisation's result: the chain report, flattened, plus what the file's unsigned export line claimed.
 * `ok` is the chain's verdict and no problem besides.
 */
export interface OrgVerifyResult extends VerifyReport {
  org_id: string;
  /** Event lines of this org in the file. */
  events: number;
  /** The export line said filters thinned the events: gaps were allowed (see `ChainVerifier` `allowGaps`). */
  filtered: boolean;
  /** `given`: the caller's keys; `embedded`: the file's own keys, on explicit request (integrity, not authenticity). */
  key_source: 'given' | 'embedded';
  /** The file's export line for this org, if any (unsigned). */
  export: Omit<AuditExportMeta, 'org_id' | 'public_keys'> | null;
  /** Findings outside the chain itself: a count or range the file does not match, unanchored events when required. */
  problems: string[];
}

export interface ExportVerifyResult {
  ok: boolean;
  file: string;
  lines: number;
  key_source: 'given' | 'embedded';
  key_ids: string[];
  orgs: OrgVerifyResult[];
}

export interface VerifyExportOptions {
  /** With no given key, use the keys the file embeds. They prove only that the file agrees with itself. */
  trustEmbeddedKeys?: boolean;
  /** Fail an org whose last events are not covered by a valid checkpoint. */
  requireAnchored?: boolean;
}

/** Thrown when the verifier cannot run (no key to trust, an unusable embedded key); exit code 2 in the CLI. */
export class VerifyUsageError extends Error {
  override name = 'VerifyUsageError';
}

/** Every non-blank line of the file, parsed, with its number; constant memory (readline over a read stream). */
async function* readLines(path: string): AsyncGenerator<ExportLine & { lineNo: number }> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (line.trim() !== '') yield { ...parseExportLine(line, lineNo), lineNo };
  }
}

interface FirstPass {
  lines: number;
  checkpoints: Map<string, AuditCheckpoint[]>;
  metas: Map<string, AuditExportMeta>;
  counts: Map<string, number>;
}

/** Pass 1: validates every line and keeps the small parts (checkpoints, export lines); events are only counted. */
async function firstPass(path: string): Promise<FirstPass> {
  const out: FirstPass = { lines: 0, checkpoints: new Map(), metas: new Map(), counts: new Map() };
  for await (const l of readLines(path)) {
    out.lines = l.lineNo;
    if (l.kind === 'event') out.counts.set(l.event.org_id, (out.counts.get(l.event.org_id) ?? 0) + 1);
    else if (l.kind === 'checkpoint') {
      const list = out.checkpoints.get(l.checkpoint.org_id) ?? [];
      list.push(l.checkpoint);
      out.checkpoints.set(l.checkpoint.org_id, list);
    } else {
      if (out.metas.has(l.meta.org_id)) throw new ExportFormatError(l.lineNo, `a second export line for org ${l.meta.org_id}`);
      out.metas.set(l.meta.org_id, l.meta);
    }
  }
  if (out.counts.size + out.checkpoints.size + out.metas.size === 0) throw new ExportFormatError(out.lines, 'the file holds no event, checkpoint or export line');
  return out;
}

function embeddedKeys(metas: Iterable<AuditExportMeta>): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const m of metas) {
    for (const [id, b64] of Object.entries(m.public_keys)) {
      try {
        keys.push(loadPublicKey(b64));
      } catch (err) {
        throw new VerifyUsageError(`embedded public key ${id} of org ${m.org_id} is unusable: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return keys;
}

/**
 * The head the verifier may hold the file to: only one the export says it reaches (the head is read after the
 * events, so a busy org's head can be past a complete file's last event).
 */
function headFor(meta: AuditExportMeta | undefined): { seq: number; entry_hash: string } | undefined {
  if (!meta?.head || meta.filtered) return undefined;
  return meta.last_seq === undefined || meta.last_seq === meta.head.seq ? meta.head : undefined;
}

function problemsOf(report: VerifyReport, events: number, meta: AuditExportMeta | undefined, opts: VerifyExportOptions): string[] {
  const problems: string[] = [];
  if (meta && meta.count !== events) problems.push(`the export line says ${meta.count} events, the file holds ${events}`);
  if (meta?.last_seq != null && report.last_seq !== meta.last_seq) problems.push(`the export line says the events end at seq ${meta.last_seq}, the file's end at ${report.last_seq ?? 'none'}`);
  if (meta?.first_seq != null && report.first_seq !== meta.first_seq) problems.push(`the export line says the events start at seq ${meta.first_seq}, the file's at ${report.first_seq ?? 'none'}`);
  if (opts.requireAnchored && report.last_seq !== null && (report.anchored_through ?? 0) < report.last_seq) {
    problems.push(`events ${(report.anchored_through ?? (report.first_seq ?? 1) - 1) + 1}..${report.last_seq} are not covered by a valid checkpoint`);
  }
  return problems;
}

function orgResult(orgId: string, v: ChainVerifier, events: number, meta: AuditExportMeta | undefined, keySource: 'given' | 'embedded', opts: VerifyExportOptions): OrgVerifyResult {
  const report = v.finish(headFor(meta));
  const problems = problemsOf(report, events, meta, opts);
  return { org_id: orgId, ...report, ok: report.ok && problems.length === 0, events, filtered: meta?.filtered === true, key_source: keySource, export: meta ? claims(meta) : null, problems };
}

/** What an export line claims about its org's events (its keys are reported apart, as key ids). */
function claims(meta: AuditExportMeta): Omit<AuditExportMeta, 'org_id' | 'public_keys'> {
  const { org_id: _org, public_keys: _keys, ...rest } = meta;
  return rest;
}

/**
 * Verifies an exported JSON Lines file offline, every org in it on its own chain. Two streaming passes: the first
 * validates the format and collects checkpoints and export lines (one per N events: small), the second feeds the
 * events to one {@link ChainVerifier} per org, checkpoints first, so memory does not grow with the event count.
 * @param keys the trusted public keys (rotated keys: all of them). Empty only with `trustEmbeddedKeys`.
 * @throws ExportFormatError (a line outside the format), VerifyUsageError (no key), or the file's I/O error.
 */
export async function verifyExportFile(path: string, keys: readonly KeyObject[], opts: VerifyExportOptions = {}): Promise<ExportVerifyResult> {
  if (keys.length === 0 && !opts.trustEmbeddedKeys) throw new VerifyUsageError('no public key given: pass the key the checkpoints were signed with');
  const pass = await firstPass(path);
  const keySource: 'given' | 'embedded' = keys.length > 0 ? 'given' : 'embedded';
  const publicKeys = keysById(keySource === 'given' ? keys : embeddedKeys(pass.metas.values()));
  if (publicKeys.size === 0) throw new VerifyUsageError('the file embeds no public key to verify with');
  const orgs = new Set([...pass.counts.keys(), ...pass.checkpoints.keys(), ...pass.metas.keys()]);
  const verifiers = new Map<string, ChainVerifier>();
  for (const orgId of orgs) {
    const meta = pass.metas.get(orgId);
    const filtered = meta?.filtered === true;
    // The export line's first seq (unsigned) lets a deleted first line read as `missing`; nothing else rests on it.
    const v = new ChainVerifier({ orgId, publicKeys, recentWindow: 1, allowGaps: filtered, startSeq: filtered ? undefined : (meta?.first_seq ?? undefined) });
    for (const cp of pass.checkpoints.get(orgId) ?? []) v.addCheckpoint(cp);
    verifiers.set(orgId, v);
  }
  pass.checkpoints.clear();
  const seen = new Map<string, number>();
  for await (const l of readLines(path)) {
    if (l.kind !== 'event') continue;
    const v = verifiers.get(l.event.org_id);
    if (!v) throw new ExportFormatError(l.lineNo, 'the file changed while it was being verified');
    v.addEvent(l.event);
    seen.set(l.event.org_id, (seen.get(l.event.org_id) ?? 0) + 1);
  }
  const results = [...verifiers].map(([orgId, v]) => orgResult(orgId, v, seen.get(orgId) ?? 0, pass.metas.get(orgId), keySource, opts));
  results.sort((a, b) => a.org_id.localeCompare(b.org_id));
  return { ok: results.every((r) => r.ok), file: path, lines: pass.lines, key_source: keySource, key_ids: [...publicKeys.keys()], orgs: results };
}
