import { createPublicKey, type KeyObject } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditCheckpoint, ChainedAuditEvent } from '../chain/audit-event.types';
import { eventFromRow, EVENT_SELECT, type AuditEventRow } from '../chain/event-row';
import { readContent, type StoredContent } from '../content/content-store';

const PAGE = 1_000;

interface CheckpointRow {
  org_id: string;
  seq: string;
  entry_hash: Buffer;
  created_at: Date;
  key_id: string;
  signature: Buffer;
}

const toCheckpoint = (r: CheckpointRow): AuditCheckpoint => ({
  org_id: r.org_id,
  seq: Number(r.seq),
  entry_hash: r.entry_hash.toString('hex'),
  created_at: r.created_at.toISOString(),
  key_id: r.key_id,
  signature: r.signature.toString('base64'),
});

/** Reads an organisation's chain: events in seq order (keyset pages, constant memory), checkpoints, head, keys. */
@Injectable()
export class AuditReader {
  constructor(private readonly ds: DataSource) {}

  /** Events with `from <= seq <= to`, ascending, read `PAGE` at a time (the primary key serves it). */
  async *events(orgId: string, from: number, to: number): AsyncGenerator<ChainedAuditEvent> {
    let next = from;
    while (next <= to) {
      const rows = await this.ds.query<AuditEventRow[]>(
        `SELECT ${EVENT_SELECT} FROM audit_event WHERE org_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq LIMIT ${PAGE}`,
        [orgId, next, to],
      );
      for (const r of rows) yield eventFromRow(r);
      if (rows.length < PAGE) return;
      next = Number(rows[rows.length - 1].seq) + 1;
    }
  }

  async checkpoints(orgId: string, from: number, to: number): Promise<AuditCheckpoint[]> {
    const rows = await this.ds.query<CheckpointRow[]>(
      `SELECT org_id, seq::text AS seq, entry_hash, created_at, key_id, signature FROM audit_checkpoint WHERE org_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq`,
      [orgId, from, to],
    );
    return rows.map(toCheckpoint);
  }

  /** The org's chain head (`seq` 0 when it has no event yet). */
  async head(orgId: string): Promise<{ seq: number; entry_hash: string }> {
    const [row] = await this.ds.query<Array<{ seq: string; entry_hash: Buffer }>>(`SELECT seq::text AS seq, entry_hash FROM audit_chain WHERE org_id = $1`, [orgId]);
    return row ? { seq: Number(row.seq), entry_hash: row.entry_hash.toString('hex') } : { seq: 0, entry_hash: '0'.repeat(64) };
  }

  /** The lowest seq retention may have removed the rows below (1 when nothing was retired). */
  async retainedFrom(orgId: string): Promise<number> {
    const [row] = await this.ds.query<Array<{ r: string }>>(`SELECT retained_from::text AS r FROM audit_chain WHERE org_id = $1`, [orgId]);
    return row ? Number(row.r) : 1;
  }

  /** Seq bounds of the events created in `[from, to)`. */
  async seqRange(orgId: string, from: Date | null, to: Date | null): Promise<{ min: number; max: number } | null> {
    const [row] = await this.ds.query<Array<{ min: string | null; max: string | null }>>(
      `SELECT min(seq)::text AS min, max(seq)::text AS max FROM audit_event
        WHERE org_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2) AND ($3::timestamptz IS NULL OR created_at < $3)`,
      [orgId, from, to],
    );
    return row?.min == null || row.max == null ? null : { min: Number(row.min), max: Number(row.max) };
  }

  /** Every public key that ever signed a checkpoint, by key id. */
  async publicKeys(): Promise<Map<string, { pem: string; key: KeyObject; created_at: string }>> {
    const rows = await this.ds.query<Array<{ key_id: string; public_key: string; created_at: Date }>>(`SELECT key_id, public_key, created_at FROM audit_signing_key ORDER BY created_at`);
    return new Map(rows.map((r) => [r.key_id, { pem: r.public_key, key: createPublicKey(r.public_key), created_at: r.created_at.toISOString() }]));
  }

  /** The sealed content row of an event (with its org's content retention), or null. */
  content(orgId: string, eventId: string): Promise<StoredContent | null> {
    return readContent(this.ds, orgId, eventId);
  }

  async event(orgId: string, eventId: string): Promise<ChainedAuditEvent | null> {
    const rows = await this.ds.query<AuditEventRow[]>(`SELECT ${EVENT_SELECT} FROM audit_event WHERE event_id = $1::uuid AND org_id = $2`, [eventId, orgId]);
    return rows[0] ? eventFromRow(rows[0]) : null;
  }
}
