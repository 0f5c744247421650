import type { AuditRecord } from '../audit-record';
import type { AuditCheckpoint, ChainedAuditEvent } from './audit-event.types';
import * as SQL from './chain.sql';
import type { CheckpointSigner } from './checkpoint-signer';
import { entryHash } from './entry-hash';
import { EVENT_COLUMNS, rowValues } from './event-row';
import { recordToEvent, type UnchainedEvent } from './record-to-event';

/** A client inside an open transaction (a TypeORM QueryRunner or a pg client). */
export interface TxClient {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface ChainWriterOptions {
  signer: CheckpointSigner | null;
  /** A checkpoint is signed in the batch that takes an org this many events past its last one. */
  checkpointEvery: number;
  /** How far back the redelivery check looks (ms). */
  dedupeWindowMs: number;
  now?: () => Date;
}

interface Head {
  seq: number;
  hash: string;
  checkpointSeq: number;
}

type Rows<T> = T[];
const hex = (b: Buffer): string => b.toString('hex');

/**
 * Extends the organisations' chains by one batch, inside the caller's transaction: locks the heads, drops events
 * already chained, numbers and hashes the rest in input order, inserts them in one statement, advances the heads
 * and signs the checkpoints that fall due. Rolling the transaction back undoes all of it.
 */
export class ChainWriter {
  private readonly now: () => Date;

  constructor(private readonly opts: ChainWriterOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** @returns the events chained (records already chained are skipped). */
  async append(tx: TxClient, records: readonly AuditRecord[]): Promise<ChainedAuditEvent[]> {
    if (!records.length) return [];
    const previews = await this.keyPreviews(tx, records);
    const byId = new Map<string, UnchainedEvent>();
    for (const r of records) {
      const e = recordToEvent(r, previews);
      if (!byId.has(e.event_id)) byId.set(e.event_id, e);
    }
    const createdAt = this.now();
    const known = (await tx.query(SQL.KNOWN_EVENTS_SQL, [[...byId.keys()], new Date(createdAt.getTime() - this.opts.dedupeWindowMs)])) as Rows<{ event_id: string }>;
    for (const k of known) byId.delete(k.event_id);
    if (!byId.size) return [];
    const fresh = [...byId.values()];
    const orgs = [...new Set(fresh.map((e) => e.org_id))].sort();
    await tx.query(SQL.ENSURE_HEADS_SQL, [orgs]);
    const heads = new Map<string, Head>();
    for (const h of (await tx.query(SQL.LOCK_HEADS_SQL, [orgs])) as Rows<{ org_id: string; seq: string; entry_hash: Buffer; checkpoint_seq: string }>) {
      heads.set(h.org_id, { seq: Number(h.seq), hash: hex(h.entry_hash), checkpointSeq: Number(h.checkpoint_seq) });
    }
    const at = createdAt.toISOString();
    const chained = fresh.map((e) => {
      const head = heads.get(e.org_id)!;
      const event = { ...e, seq: head.seq + 1, prev_hash: head.hash, created_at: at };
      const full: ChainedAuditEvent = { ...event, entry_hash: entryHash(event) };
      head.seq = full.seq;
      head.hash = full.entry_hash;
      return full;
    });
    const rows = chained.map(rowValues);
    await tx.query(SQL.INSERT_EVENTS_SQL, EVENT_COLUMNS.map((_, i) => rows.map((r) => r[i])));
    const list = [...heads.entries()];
    await tx.query(SQL.ADVANCE_HEADS_SQL, [list.map(([o]) => o), list.map(([, h]) => String(h.seq)), list.map(([, h]) => Buffer.from(h.hash, 'hex'))]);
    const due = list.filter(([, h]) => h.seq - h.checkpointSeq >= this.opts.checkpointEvery);
    await this.checkpoint(tx, due.map(([org, h]) => ({ org_id: org, seq: h.seq, entry_hash: h.hash, created_at: at })));
    return chained;
  }

  /** Signs and stores checkpoints (and marks the heads), inside the caller's transaction. */
  async checkpoint(tx: TxClient, points: Array<Omit<AuditCheckpoint, 'key_id' | 'signature'>>): Promise<AuditCheckpoint[]> {
    const signer = this.opts.signer;
    if (!signer || !points.length) return [];
    const signed = points.map((p) => signer.sign(p));
    const col = <T>(f: (c: AuditCheckpoint) => T): T[] => signed.map(f);
    await tx.query(SQL.INSERT_CHECKPOINTS_SQL, [
      col((c) => c.org_id), col((c) => String(c.seq)), col((c) => Buffer.from(c.entry_hash, 'hex')),
      col((c) => c.created_at), col((c) => c.key_id), col((c) => Buffer.from(c.signature, 'base64')),
    ]);
    await tx.query(SQL.MARK_CHECKPOINTS_SQL, [col((c) => c.org_id), col((c) => String(c.seq)), col((c) => c.created_at)]);
    return signed;
  }

  private async keyPreviews(tx: TxClient, records: readonly AuditRecord[]): Promise<Map<string, string>> {
    const ids = [...new Set(records.flatMap((r) => (r.v === 2 && r.principal.keyId ? [r.principal.keyId] : [])))];
    if (!ids.length) return new Map();
    const rows = (await tx.query(SQL.KEY_PREVIEWS_SQL, [ids])) as Rows<{ id: string; key_preview: string }>;
    return new Map(rows.map((r) => [r.id, r.key_preview]));
  }
}
