import { classifyWriteError, WriteFailureError } from './write-failure';

export interface SplitWriteStats {
  /** Statements issued (the first attempt included). */
  writes: number;
  /** Times a failing batch was cut in two. */
  splits: number;
}

/**
 * Writes `items` with `write` (one transaction); when that fails for a reason a row can cause, writes
 * each half on its own, recursively, down to single rows: every row that can be stored is stored, and
 * only the rows that fail alone come back as errors. k bad rows in n cost about 2k·log2(n) extra
 * statements. Halves are written one after the other, so the caller's bound on concurrent writes holds.
 *
 * When the database is unavailable (see {@link classifyWriteError}) nothing is split: every item gets
 * that error and the jobs are retried later, rather than hammering a database that is down.
 *
 * @returns one entry per item, in order: `undefined` when written, else a {@link WriteFailureError}.
 */
export async function writeSplitting<T>(items: readonly T[], write: (items: T[]) => Promise<void>, stats?: SplitWriteStats): Promise<Array<WriteFailureError | undefined>> {
  if (!items.length) return [];
  if (stats) stats.writes++;
  try {
    await write([...items]);
    return items.map(() => undefined);
  } catch (err) {
    const failure = classifyWriteError(err);
    if (items.length === 1 || failure.kind === 'unavailable') return items.map(() => new WriteFailureError(failure));
    if (stats) stats.splits++;
    const mid = Math.ceil(items.length / 2);
    const left = await writeSplitting(items.slice(0, mid), write, stats);
    // The database went away during the first half: do not start the second one.
    const gone = left.find((e) => e?.failure.kind === 'unavailable');
    const right = gone ? items.slice(mid).map(() => gone) : await writeSplitting(items.slice(mid), write, stats);
    return [...left, ...right];
  }
}
