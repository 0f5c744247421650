#!/usr/bin/env node
/**
 * `verify-audit <export.jsonl> --public-key <file.pem|PEM|base64 DER> [--public-key …] [--trust-embedded-keys] [--json]`
 * Verifies an audit export offline, with no database: every event's hash, the links between them, every checkpoint's
 * Ed25519 signature, and the end against the chain head recorded in the export. Exit 0 intact, 1 broken, 2 usage,
 * I/O or format error. The keys come from the operator (the gateway's `GET /api/audit/public-key`), not from the
 * file: keys embedded in the export are used only with `--trust-embedded-keys`.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { keyIdOf } from '../chain/checkpoint-signer';
import { verifyExportFile, type FileReport } from './export-file';

const USAGE = 'usage: verify-audit <export.jsonl> --public-key <file.pem | PEM | base64 DER> [--public-key …] [--trust-embedded-keys] [--json]';

/** A public key from a PEM file, a PEM string or base64 SPKI DER. */
export function loadPublicKey(spec: string): KeyObject {
  const text = existsSync(spec) ? readFileSync(spec, 'utf8') : spec;
  if (text.includes('-----BEGIN')) return createPublicKey(text);
  return createPublicKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' });
}

function human(r: FileReport): string {
  const head = `org ${r.org_id}: ${r.ok ? 'OK' : 'BROKEN'}, ${r.checked} event(s) (seq ${r.first_seq ?? '-'}..${r.last_seq ?? '-'}), ${r.checkpoints_verified} checkpoint(s) verified`;
  const anchored = r.anchored_through ? `, anchored through seq ${r.anchored_through}` : ', no checkpoint in range';
  const filtered = r.filtered ? ' [filtered export: each event hash checked; links not checkable]' : '';
  const brk = r.first_break ? `\n  first break at seq ${r.first_break.seq}: ${r.first_break.reason} (${r.first_break.detail})` : '';
  return head + anchored + filtered + brk;
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'public-key': { type: 'string', multiple: true }, 'trust-embedded-keys': { type: 'boolean' }, json: { type: 'boolean' } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || positionals.length !== 1) return (process.stderr.write(`${USAGE}\n`), 2);
  try {
    if (!existsSync(file)) throw new Error(`${file}: no such file`);
    const specs = values['public-key'] ?? [];
    if (!specs.length && !values['trust-embedded-keys']) throw new Error('no public key: pass --public-key (from GET /api/audit/public-key)');
    const keys = new Map(specs.map(loadPublicKey).map((k) => [keyIdOf(k), k] as const));
    const reports = await verifyExportFile(file, keys, { trustEmbeddedKeys: values['trust-embedded-keys'] === true });
    if (!reports.length) throw new Error(`${file}: no audit event in the file`);
    process.stdout.write(values.json ? `${JSON.stringify(reports, null, 2)}\n` : `${reports.map(human).join('\n')}\n`);
    return reports.every((r) => r.ok) ? 0 : 1;
  } catch (err) {
    process.stderr.write(`verify-audit: ${(err as Error).message}\n`);
    return 2;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
