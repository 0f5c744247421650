import type { Queue } from 'bullmq';
import type { DeadLetterStore } from './dead-letter.store';
import { DEFAULT_JOB_OPTIONS } from './queue.constants';

export interface ReplayResult {
  open: number;
  replayed: string[];
  /** Records whose job is being processed right now (left alone). */
  skipped: string[];
}

/**
 * Hands a queue's open dead letters back to it: same job id and name, the stored (sanitised) payload,
 * the default attempts. A record that fails again is dead-lettered again (failures + 1, open again).
 * Payloads are stored sanitised, so a record that failed only on a NUL or a lone surrogate now passes;
 * others need their cause fixed first (a writer bug, or the payload corrected with SQL).
 */
export async function replayDeadLetters(store: DeadLetterStore, queue: Queue, opts: { keys?: string[]; limit?: number } = {}): Promise<ReplayResult> {
  const open = (await store.listOpen(queue.name, opts.limit ?? 1_000)).filter((d) => !opts.keys || opts.keys.includes(d.recordKey));
  const result: ReplayResult = { open: open.length, replayed: [], skipped: [] };
  for (const d of open) {
    const previous = await queue.getJob(d.recordKey);
    // The completed job is retained for a while under the same id, and BullMQ ignores an add whose
    // id it still holds: remove it first. An active one is being processed: leave it alone.
    if (previous && (await previous.getState()) === 'active') {
      result.skipped.push(d.recordKey);
      continue;
    }
    await previous?.remove();
    // Marked first: the worker may fail it again (re-opening it) before this loop ends.
    await store.markReplayed(queue.name, [d.recordKey]);
    try {
      await queue.add(d.jobName ?? 'replay', d.payload, { ...DEFAULT_JOB_OPTIONS, jobId: d.recordKey });
    } catch (err) {
      await store.markReplayed(queue.name, [d.recordKey], false);
      throw err;
    }
    result.replayed.push(d.recordKey);
  }
  return result;
}
