import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { publicKeyBase64 } from '../chain/verify/checkpoint-keys';
import { formatExportLine, type AuditExportMeta } from '../chain/verify/export-format';
import type { ChainFixture } from '../chain/verify/verify.fixture';

/** Test fixtures: export files as the API writes them (events, then checkpoints, then one export line per org). */
export interface ExportPart {
  fx: ChainFixture;
  /** Events to write (default: all of the chain's). */
  events?: ChainedAuditEvent[];
  /** Export-line fields to override; `null` leaves the export line out. */
  meta?: Partial<AuditExportMeta> | null;
}

/** The export line of a part: count, range and head of what it writes, the signer's key. */
function metaOf(p: ExportPart, events: ChainedAuditEvent[]): AuditExportMeta {
  const first = events[0]?.seq ?? null;
  const last = events[events.length - 1]?.seq ?? null;
  return {
    org_id: p.fx.events[0].org_id,
    generated_at: '2026-02-01T00:00:00.000Z',
    count: events.length,
    head: p.fx.head,
    first_seq: first,
    last_seq: last,
    public_keys: { [p.fx.signer.keyId]: publicKeyBase64(p.fx.signer.publicKey) },
    ...p.meta,
  };
}

/** JSONL text of several orgs: their events interleaved, then every checkpoint, then the export lines. */
export function exportText(parts: ExportPart[]): string {
  const lists = parts.map((p) => p.events ?? p.fx.events);
  let out = '';
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) {
    for (const l of lists) if (l[i]) out += formatExportLine({ kind: 'event', event: l[i] });
  }
  for (const p of parts) for (const checkpoint of p.fx.checkpoints) out += formatExportLine({ kind: 'checkpoint', checkpoint });
  parts.forEach((p, i) => {
    if (p.meta !== null) out += formatExportLine({ kind: 'export', meta: metaOf(p, lists[i]) });
  });
  return out;
}

/** A fresh temp directory and a writer of files in it. */
export function tempFiles(): { dir: string; write: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'verify-audit-'));
  return {
    dir,
    write: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
}
