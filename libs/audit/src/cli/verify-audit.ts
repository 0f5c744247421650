#!/usr/bin/env node
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPublicKey } from '../chain/verify/checkpoint-keys';
import { ExportFormatError } from '../chain/verify/export-format';
import { verifyExportFile, VerifyUsageError, type ExportVerifyResult, type OrgVerifyResult } from './verify-export-file';

/** Exit codes: every chain verified; a chain is broken; the tool could not verify (usage, I/O, format). */
export const EXIT = { ok: 0, broken: 1, error: 2 } as const;

export const USAGE = `usage: verify-audit <export.jsonl> --public-key <file.pem|base64> [--public-key …] [--json] [--require-anchored]
       verify-audit <export.jsonl> --trust-embedded-keys [--json]
  --public-key <k>         Ed25519 public key: a file (PEM or base64 SPKI DER), base64 SPKI DER, or --public-key="<PEM text>";
                           repeat for rotated keys
  --json                   print one JSON report per organisation (an array)
  --trust-embedded-keys    with no --public-key, verify against the keys the file itself carries (integrity only)
  --require-anchored       fail when an org's last events are not covered by a signed checkpoint
exit: 0 verified, 1 chain broken, 2 usage, I/O or format error`;

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** A `--public-key` value: a readable file holding a key, else the key text itself. */
function readKey(arg: string): KeyObject {
  try {
    return loadPublicKey(existsSync(arg) ? readFileSync(arg, 'utf8') : arg);
  } catch (err) {
    throw new VerifyUsageError(`--public-key ${arg.length > 60 ? `${arg.slice(0, 60)}…` : arg}: ${(err as Error).message}`, { cause: err });
  }
}

function orgLines(o: OrgVerifyResult): string[] {
  const span = o.first_seq === null ? 'no events' : `${o.checked} events (seq ${o.first_seq}..${o.last_seq})`;
  const anchor = o.anchored_through === null ? 'no valid checkpoint' : `anchored through seq ${o.anchored_through}`;
  const lines = [`org ${o.org_id}: ${o.ok ? 'OK' : 'BROKEN'}: ${span}, ${o.checkpoints_verified} checkpoint(s) verified, ${anchor}${o.filtered ? ' [filtered export: gaps allowed]' : ''}`];
  if (o.first_break) lines.push(`  first break at seq ${o.first_break.seq}: ${o.first_break.reason}: ${o.first_break.detail}`);
  if (o.last_seq !== null && (o.anchored_through ?? 0) < o.last_seq) {
    lines.push(`  note: events after seq ${o.anchored_through ?? (o.first_seq ?? 1) - 1} are not covered by a signed checkpoint (only their hashes and links are checked)`);
  }
  for (const p of o.problems) lines.push(`  problem: ${p}`);
  return lines;
}

/** The human summary: one block per org, then the verdict. */
export function summary(res: ExportVerifyResult): string {
  const keys = res.key_source === 'given' ? `${res.key_ids.length} given key(s)` : `the file's EMBEDDED key(s): this shows the file is consistent, not who signed it`;
  const events = res.orgs.reduce((n, o) => n + o.events, 0);
  const broken = res.orgs.filter((o) => !o.ok).length;
  return [
    `verify-audit ${res.file}: ${res.orgs.length} org(s), ${events} event(s), checked with ${keys} [${res.key_ids.join(', ')}]`,
    ...res.orgs.flatMap(orgLines),
    res.ok ? 'result: OK, every chain verified' : `result: BROKEN, ${broken} of ${res.orgs.length} org(s) failed`,
  ].join('\n');
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'public-key': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      'trust-embedded-keys': { type: 'boolean', default: false },
      'require-anchored': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/**
 * The CLI, callable in-process: parses `argv` (without node and the script), verifies, prints, and returns the exit
 * code. Never throws: every failure is a message on stderr (and `{ok:false,error}` on stdout with --json), exit 2.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  let file = '';
  try {
    const { values, positionals } = parse(argv);
    if (values.help) return (io.out(USAGE), EXIT.ok);
    if (positionals.length !== 1) throw new VerifyUsageError(positionals.length ? `one export file expected, got ${positionals.length}` : 'no export file given');
    file = positionals[0];
    const given = values['public-key'] ?? [];
    const trustEmbedded = values['trust-embedded-keys'];
    if (given.length === 0 && !trustEmbedded) throw new VerifyUsageError('--public-key is required (the key the checkpoints were signed with: GET /api/audit/public-key)');
    if (given.length > 0 && trustEmbedded) io.err('verify-audit: --public-key given: the keys embedded in the file are ignored');
    const res = await verifyExportFile(file, given.map(readKey), { trustEmbeddedKeys: trustEmbedded, requireAnchored: values['require-anchored'] });
    io.out(json ? JSON.stringify(res.orgs, null, 2) : summary(res));
    return res.ok ? EXIT.ok : EXIT.broken;
  } catch (err) {
    const e = err as Error & { code?: string };
    const usage = e instanceof VerifyUsageError || String(e.code).startsWith('ERR_PARSE_ARGS');
    const msg = e instanceof ExportFormatError ? `format error: ${file} ${e.message}` : e.message;
    if (json) io.out(JSON.stringify({ ok: false, error: msg }));
    io.err(`verify-audit: ${msg}${usage ? `\n${USAGE}` : ''}`);
    return EXIT.error;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), { out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`) }).then((code) => {
    process.exitCode = code;
  });
}
