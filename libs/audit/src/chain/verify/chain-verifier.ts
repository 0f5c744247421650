import type { KeyObject } from 'node:crypto';
import type { AuditCheckpoint, ChainedAuditEvent } from '../audit-event.types';
import { entryHash, GENESIS_HASH } from '../entry-hash';
import { verifyCheckpointSignature } from './checkpoint-keys';
import { BreakTracker, RecentHashes, type ChainBreak } from './verify-state';

export type { BreakReason, ChainBreak } from './verify-state';

/** What verifying one organisation's chain (or a range of it) found. `ok` ⇔ `first_break === null`. */
export interface VerifyReport {
  ok: boolean;
  /** Events examined (hash recomputed), broken ones included. */
  checked: number;
  first_seq: number | null;
  last_seq: number | null;
  /** Checkpoints whose signature is valid and whose hash equals the event's at that seq. */
  checkpoints_verified: number;
  /** Highest seq covered by a valid checkpoint: everything up to it is vouched for by the signing key. */
  anchored_through: number | null;
  /** The lowest-seq break found; later ones are not reported (they are usually consequences of it). */
  first_break: ChainBreak | null;
}

export interface ChainVerifierOptions {
  orgId: string;
  /** Keys by key id (see `keysById`); a checkpoint naming another id is `unknown_key`. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** The seq the range starts at: an absent first event is `missing` there. Unset: the first event given starts it. */
  startSeq?: number;
  /** The `prev_hash` the first event must carry. Unset: genesis for seq 1, else the first event's is taken as given. */
  startPrevHash?: string;
  /** How many recent entry hashes to keep for checkpoints added after their event (default 4096). */
  recentWindow?: number;
  /**
   * A filtered export: skipped seqs are by design, not `missing`. Each event's hash and the links between
   * neighbours are still checked, and checkpoints at the seqs present; nothing vouches for what was left out.
   */
  allowGaps?: boolean;
}

/**
 * Verifies one organisation's hash chain incrementally, in constant memory: events in seq order are checked as they
 * come (recomputed hash, link to the previous one, gaps, order), checkpoints are matched when their event passes
 * (only those ahead of the position are kept, plus a bounded window of recent hashes for late ones). Every break is
 * recorded but only the lowest seq is reported, so one edit is reported where it happened and not where it shows.
 * Checks per event, first failing one wins: order/gap, recomputed hash, org, link, checkpoint.
 */
export class ChainVerifier {
  private readonly breaks = new BreakTracker();
  private readonly pending = new Map<number, AuditCheckpoint[]>();
  private readonly recent: RecentHashes;
  private next: number | null;
  private prevHash: string | null;
  private first: number | null = null;
  private last: number | null = null;
  private lastHash: string | null = null;
  private checked = 0;
  private verified = 0;
  private anchored: number | null = null;
  private finished = false;

  constructor(private readonly opts: ChainVerifierOptions) {
    if (opts.startSeq !== undefined && !(Number.isSafeInteger(opts.startSeq) && opts.startSeq >= 1)) throw new RangeError('startSeq must be a positive integer');
    this.next = opts.startSeq ?? null;
    this.prevHash = this.next === null ? null : this.expectedPrev(this.next);
    this.recent = new RecentHashes(opts.recentWindow ?? 4096);
  }

  /** Checks the next event of the chain (events must come in ascending seq order; anything else is a break). */
  addEvent(e: ChainedAuditEvent): void {
    this.assertOpen();
    this.checked++;
    if (this.next !== null && e.seq < this.next) {
      const why = this.last !== null && e.seq <= this.last ? `seq ${e.seq} comes after seq ${this.last}` : `seq ${e.seq} is before the range start ${this.next}`;
      this.breaks.flag(e.seq, 'out_of_order', why);
      return;
    }
    if (this.next === null) this.begin(e.seq);
    const expected = this.next!;
    const linked = e.seq === expected;
    if (!linked && !this.opts.allowGaps) this.breaks.flag(expected, 'missing', e.seq - 1 === expected ? `seq ${expected} is absent` : `seq ${expected}..${e.seq - 1} are absent`);
    const actual = entryHash(e);
    if (actual !== e.entry_hash) this.breaks.flag(e.seq, 'hash_mismatch', `recomputed entry hash ${actual} differs from the stored ${e.entry_hash}`);
    else if (e.org_id !== this.opts.orgId) this.breaks.flag(e.seq, 'wrong_org', `event of org ${e.org_id} in the chain of ${this.opts.orgId}`);
    else if (linked && this.prevHash !== null && e.prev_hash !== this.prevHash) {
      this.breaks.flag(e.seq, 'prev_hash_mismatch', `prev_hash ${e.prev_hash} differs from ${this.prevHash}, the entry hash before it`);
    }
    if (!linked) this.dropPendingBelow(e.seq);
    this.first ??= e.seq;
    this.last = e.seq;
    this.lastHash = e.entry_hash;
    this.next = e.seq + 1;
    this.prevHash = e.entry_hash;
    this.recent.put(e.seq, e.entry_hash);
    const cps = this.pending.get(e.seq);
    if (cps) {
      this.pending.delete(e.seq);
      for (const cp of cps) this.matchCheckpoint(cp, e.entry_hash);
    }
  }

  /**
   * Adds a signed checkpoint of this org. Ahead of the position it waits for its event; behind it, it is matched
   * against the recent window. One before the range start is ignored (retention removed what it covers).
   * @throws RangeError when it names a seq passed longer ago than the window (add checkpoints first).
   */
  addCheckpoint(cp: AuditCheckpoint): void {
    this.assertOpen();
    if (cp.org_id !== this.opts.orgId) return this.breaks.flag(cp.seq, 'wrong_org', `checkpoint of org ${cp.org_id} given for ${this.opts.orgId}`);
    const floor = this.opts.startSeq ?? this.first;
    if (floor !== null && cp.seq < floor) return;
    if (this.last === null || cp.seq > this.last) {
      const list = this.pending.get(cp.seq);
      if (list) list.push(cp);
      else this.pending.set(cp.seq, [cp]);
      return;
    }
    const hash = this.recent.get(cp.seq);
    if (hash !== undefined) return this.matchCheckpoint(cp, hash);
    if (this.last - cp.seq >= this.recent.size) {
      throw new RangeError(`checkpoint at seq ${cp.seq} came ${this.last - cp.seq} events late (window ${this.recent.size}): add checkpoints before their events`);
    }
    // Inside the window but never seen: its event is absent, already reported as missing at a lower seq.
  }

  /**
   * Ends the run. `head` (the chain head as the database or export states it) catches a cut tail: events missing
   * after the last one given, or a different hash at the head. A validly signed checkpoint past the last event
   * proves the same thing on its own; one with a bad signature is reported at its seq.
   */
  finish(head?: { seq: number; entry_hash: string }): VerifyReport {
    this.assertOpen();
    this.finished = true;
    const nextMissing = this.last !== null ? this.last + 1 : (this.opts.startSeq ?? 1);
    for (const [seq, cps] of this.pending) {
      for (const cp of cps) {
        const sig = verifyCheckpointSignature(cp, this.opts.publicKeys);
        if (sig !== 'ok') this.breaks.flag(seq, sig, this.signatureDetail(cp, sig));
        else this.breaks.flag(nextMissing, 'truncated', `a valid checkpoint at seq ${seq} shows the chain reached it; events end before seq ${nextMissing}`);
      }
    }
    this.pending.clear();
    if (head && head.seq >= nextMissing) {
      this.breaks.flag(nextMissing, 'truncated', `the head is at seq ${head.seq}; events end before seq ${nextMissing}`);
    } else if (head && head.seq >= 1) {
      const atHead = head.seq === this.last ? this.lastHash : this.recent.get(head.seq);
      if (atHead !== undefined && atHead !== null && atHead !== head.entry_hash) {
        this.breaks.flag(head.seq, 'truncated', `the head hash ${head.entry_hash} differs from the event's ${atHead} at seq ${head.seq}`);
      }
    }
    const first_break = this.breaks.first;
    return { ok: first_break === null, checked: this.checked, first_seq: this.first, last_seq: this.last, checkpoints_verified: this.verified, anchored_through: this.anchored, first_break };
  }

  /** The `prev_hash` the event at `seq` must carry, when it is known. */
  private expectedPrev(seq: number): string | null {
    return this.opts.startPrevHash ?? (seq === 1 ? GENESIS_HASH : null);
  }

  /** No start given: the first event's seq starts the range (after retention, any seq). */
  private begin(seq: number): void {
    this.next = seq;
    this.prevHash = this.expectedPrev(seq);
    this.dropPendingBelow(seq);
  }

  /** After a gap: checkpoints inside it have no event to match (the gap is already the lower break). */
  private dropPendingBelow(seq: number): void {
    for (const key of this.pending.keys()) if (key < seq) this.pending.delete(key);
  }

  private matchCheckpoint(cp: AuditCheckpoint, hash: string): void {
    const sig = verifyCheckpointSignature(cp, this.opts.publicKeys);
    if (sig !== 'ok') return this.breaks.flag(cp.seq, sig, this.signatureDetail(cp, sig));
    if (cp.entry_hash !== hash) return this.breaks.flag(cp.seq, 'checkpoint_mismatch', `signed checkpoint says ${cp.entry_hash}, the event has ${hash}`);
    this.verified++;
    this.anchored = Math.max(this.anchored ?? 0, cp.seq);
  }

  private signatureDetail(cp: AuditCheckpoint, sig: 'unknown_key' | 'bad_signature'): string {
    return sig === 'unknown_key' ? `checkpoint signed by key ${cp.key_id}, which is not among the trusted keys` : `checkpoint signature by key ${cp.key_id} does not verify`;
  }

  private assertOpen(): void {
    if (this.finished) throw new Error('ChainVerifier: finish() was already called');
  }
}
