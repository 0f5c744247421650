import { verify as verifySignature, type KeyObject } from 'node:crypto';
import type { AuditCheckpoint, ChainedAuditEvent } from './audit-event.types';
import { checkpointMessage, entryHash } from './entry-hash';

export type BreakReason =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'missing'
  | 'out_of_order'
  | 'wrong_org'
  | 'checkpoint_mismatch'
  | 'bad_signature'
  | 'unknown_key'
  | 'truncated';

export interface VerifyReport {
  ok: boolean;
  /** Events read and recomputed. */
  checked: number;
  first_seq: number | null;
  last_seq: number | null;
  checkpoints_verified: number;
  /** Highest seq covered by a valid checkpoint (every event up to it is anchored by a signature). */
  anchored_through: number | null;
  first_break: { seq: number; reason: BreakReason; detail: string } | null;
}

/**
 * Verifies one organisation's chain incrementally, from the database or an export file, in seq order: each event's
 * hash recomputed, each link to the previous event, no seq skipped, each checkpoint's hash and Ed25519 signature.
 * Memory: the current position plus checkpoints not yet reached. The lowest broken seq is reported.
 */
export class ChainVerifier {
  private expected: number | null;
  private prevHash: string | null;
  private readonly pending = new Map<number, AuditCheckpoint>();
  private report: VerifyReport = { ok: true, checked: 0, first_seq: null, last_seq: null, checkpoints_verified: 0, anchored_through: null, first_break: null };

  constructor(private readonly opts: { orgId: string; publicKeys: ReadonlyMap<string, KeyObject>; startSeq?: number; startPrevHash?: string }) {
    this.expected = opts.startSeq ?? null;
    this.prevHash = opts.startPrevHash ?? null;
  }

  addEvent(e: ChainedAuditEvent): void {
    const r = this.report;
    if (e.org_id !== this.opts.orgId) return this.fail(e.seq, 'wrong_org', `event ${e.event_id} belongs to another organisation`);
    if (this.expected !== null && e.seq < this.expected) return this.fail(e.seq, 'out_of_order', `seq ${e.seq} after seq ${this.expected - 1}`);
    if (this.expected !== null && e.seq > this.expected) {
      this.fail(this.expected, 'missing', `seq ${this.expected}${e.seq - 1 > this.expected ? `..${e.seq - 1}` : ''} not present`);
      this.prevHash = null; // the link across the gap cannot be checked
    }
    r.checked++;
    r.first_seq ??= e.seq;
    r.last_seq = e.seq;
    const recomputed = entryHash(e);
    if (recomputed !== e.entry_hash) this.fail(e.seq, 'hash_mismatch', 'the stored entry_hash is not the hash of the stored content');
    else if (this.prevHash !== null && e.prev_hash !== this.prevHash) this.fail(e.seq, 'prev_hash_mismatch', "prev_hash is not the previous event's entry_hash");
    this.expected = e.seq + 1;
    this.prevHash = e.entry_hash;
    const cp = this.pending.get(e.seq);
    if (cp) {
      this.pending.delete(e.seq);
      this.checkCheckpoint(cp, e.entry_hash);
    }
  }

  /**
   * Add checkpoints before the events they cover (the API reads them first; the CLI reads an export's checkpoint
   * lines in a first pass): only the current position is kept, so memory stays flat. One below the events read so
   * far is ignored (it covers a range this run does not check).
   */
  addCheckpoint(cp: AuditCheckpoint): void {
    if (cp.org_id !== this.opts.orgId) return;
    if (this.report.last_seq !== null && cp.seq <= this.report.last_seq) return;
    if (this.expected !== null && cp.seq < this.expected) return;
    this.pending.set(cp.seq, cp);
  }

  /** Ends the run; `head` (the chain head of the database or the export) catches rows deleted at the end. */
  finish(head?: { seq: number; entry_hash: string }): VerifyReport {
    const r = this.report;
    if (head && head.seq > 0) {
      if (r.last_seq === null || r.last_seq < head.seq) this.fail((r.last_seq ?? (this.expected ?? 1) - 1) + 1, 'truncated', `the chain head is seq ${head.seq}; events end at ${r.last_seq ?? 'none'}`);
      else if (r.last_seq === head.seq && this.prevHash !== head.entry_hash) this.fail(head.seq, 'truncated', 'the last event is not the chain head');
    }
    for (const cp of this.pending.values()) {
      if (head && cp.seq <= head.seq) this.fail(cp.seq, 'missing', `checkpoint at seq ${cp.seq} has no event`);
    }
    return r;
  }

  private checkCheckpoint(cp: AuditCheckpoint, hash: string): void {
    const key = this.opts.publicKeys.get(cp.key_id);
    if (!key) return this.fail(cp.seq, 'unknown_key', `checkpoint signed by unknown key ${cp.key_id}`);
    if (cp.entry_hash !== hash) return this.fail(cp.seq, 'checkpoint_mismatch', 'the checkpoint signed another entry_hash at this seq');
    if (!verifySignature(null, checkpointMessage(cp), key, Buffer.from(cp.signature, 'base64'))) return this.fail(cp.seq, 'bad_signature', 'the checkpoint signature does not verify');
    const r = this.report;
    r.checkpoints_verified++;
    if (!r.first_break || r.first_break.seq > cp.seq) r.anchored_through = Math.max(r.anchored_through ?? 0, cp.seq);
  }

  private fail(seq: number, reason: BreakReason, detail: string): void {
    const r = this.report;
    r.ok = false;
    if (!r.first_break || seq < r.first_break.seq) r.first_break = { seq, reason, detail };
  }
}
