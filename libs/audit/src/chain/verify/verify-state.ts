/** Why a chain does not verify at a seq (see `ChainVerifier` for when each is reported). */
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

export interface ChainBreak {
  seq: number;
  reason: BreakReason;
  detail: string;
}

/**
 * Keeps the lowest-seq break. At equal seqs the first one recorded stays, except that a seq first seen as a gap
 * (`missing`) and then arriving late is `out_of_order`: the event is there, only its place is wrong.
 */
export class BreakTracker {
  private best: ChainBreak | null = null;

  flag(seq: number, reason: BreakReason, detail: string): void {
    const b = this.best;
    if (!b || seq < b.seq || (seq === b.seq && b.reason === 'missing' && reason === 'out_of_order')) this.best = { seq, reason, detail };
  }

  get first(): ChainBreak | null {
    return this.best;
  }
}

/** The entry hashes of the last `size` seqs (a ring indexed by seq): constant memory for late checkpoints. */
export class RecentHashes {
  private readonly seqs: number[];
  private readonly hashes: string[];

  constructor(readonly size: number) {
    if (!(Number.isSafeInteger(size) && size >= 1)) throw new RangeError('recentWindow must be a positive integer');
    this.seqs = new Array<number>(size).fill(-1);
    this.hashes = new Array<string>(size).fill('');
  }

  put(seq: number, hash: string): void {
    const i = seq % this.size;
    this.seqs[i] = seq;
    this.hashes[i] = hash;
  }

  get(seq: number): string | undefined {
    const i = seq % this.size;
    return this.seqs[i] === seq ? this.hashes[i] : undefined;
  }
}
