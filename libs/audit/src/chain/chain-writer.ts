import type { AuditRecord, AuditRecordContent } from '../audit-record';
import { insertContent } from '../content/content-store';
import type { AuditCheckpoint, AuditEvent, ChainedAuditEvent } from './audit-event.types';
import * as SQL from './chain.sql';
import type { CheckpointSigner } from './checkpoint-signer';
import { entryHash } from './entry-hash';
import { EVENT_COLUMNS, rowValues } from './event-row';
import { recordToEvent, retainedContent, type UnchainedEvent } from './record-to-event';

/** A client inside an open transaction (a TypeORM QueryRunner or a pg client). */
export interface TxClient {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  /** COPY into `table` on the same connection, when the client can (else the writer uses one INSERT … UNNEST). */
  copy?(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
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
/** Key ids are UUIDs (api_key.id); anything else has no preview to look up. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Extends the organisations' chains by one batch, inside the caller's transaction: locks the heads, drops events
 * already chained, numbers and hashes the rest in input order, inserts them in one statement (and their retained
 * content into `audit_content`), advances the heads and signs the checkpoints that fall due. Rolling the transaction back undoes all of it.
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
    const contents = new Map<string, AuditRecordContent>();
    for (const r of records) {
      const e = recordToEvent(r, previews);
      if (byId.has(e.event_id)) continue;
      byId.set(e.event_id, e);
      const content = retainedContent(r);
      if (content) contents.set(e.event_id, content);
    }
    // The heads are locked *before* the events already chained are looked up: a concurrent batch holding the same
    // request (a duplicate job, a redelivery) has then committed, and its rows are seen, or it waits for this one.
    // Checking first let two batches both find a request new and both chain it.
    const orgs = [...new Set([...byId.values()].map((e) => e.org_id))].sort();
    const locked = (await tx.query(SQL.LOCK_HEADS_SQL, [orgs])) as Rows<{ org_id: string; seq: string; entry_hash: Buffer; checkpoint_seq: string; updated_at: Date }>;
    const known = (await tx.query(SQL.KNOWN_EVENTS_SQL, [[...byId.keys()], new Date(this.now().getTime() - this.opts.dedupeWindowMs)])) as Rows<{ event_id: string }>;
    for (const k of known) byId.delete(k.event_id);
    if (!byId.size) return [];
    const fresh = [...byId.values()];
    const freshOrgs = new Set(fresh.map((e) => e.org_id));
    const heads = new Map<string, Head>();
    // The batch's time is read once the heads are locked and never runs behind a head's last one, so created_at
    // never decreases along a chain (whatever the clocks of the replicas writing it).
    let createdAt = this.now().getTime();
    for (const h of locked) {
      if (!freshOrgs.has(h.org_id)) continue;
      heads.set(h.org_id, { seq: Number(h.seq), hash: hex(h.entry_hash), checkpointSeq: Number(h.checkpoint_seq) });
      if (Number(h.seq) > 0) createdAt = Math.max(createdAt, h.updated_at.getTime());
    }
    const at = new Date(createdAt).toISOString();
    const chained = fresh.map((e) => {
      const head = heads.get(e.org_id)!;
      // Completed in place (the unchained events are this batch's own): copying 30-field objects twice per row cost
      // more than hashing them.
      const event = e as AuditEvent;
      event.seq = head.seq + 1;
      event.prev_hash = head.hash;
      event.created_at = at;
      const full = event as ChainedAuditEvent;
      full.entry_hash = entryHash(event);
      head.seq = full.seq;
      head.hash = full.entry_hash;
      return full;
    });
    const rows = chained.map(rowValues);
    if (tx.copy) await tx.copy('audit_event', EVENT_COLUMNS.map(([c]) => c), rows);
    else await tx.query(SQL.INSERT_EVENTS_SQL, EVENT_COLUMNS.map((_, i) => rows.map((r) => r[i])));
    if (contents.size) await insertContent(tx, chained, contents);
    const list = [...heads.entries()];
    await tx.query(SQL.ADVANCE_HEADS_SQL, [list.map(([o]) => o), list.map(([, h]) => String(h.seq)), list.map(([, h]) => Buffer.from(h.hash, 'hex')), at]);
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
    const ids = [...new Set(records.flatMap((r) => (r.v === 2 && r.principal.keyId && UUID.test(r.principal.keyId) ? [r.principal.keyId] : [])))];
    if (!ids.length) return new Map();
    const rows = (await tx.query(SQL.KEY_PREVIEWS_SQL, [ids])) as Rows<{ id: string; key_preview: string }>;
    return new Map(rows.map((r) => [r.id, r.key_preview]));
  }
}
