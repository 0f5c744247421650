import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';

/** Test support (not exported from the main barrel). Import from `libs/queue/src/testing`. */

/** A Redis key prefix no other run uses, so parallel runs on one Redis do not see each other's jobs. */
export function uniqueQueuePrefix(base = 'gwtest'): string {
  return `${base}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Resolves when no job is waiting, delayed or active; rejects with the counts after `timeoutMs`. */
export async function waitForQueueIdle(queue: Queue, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let counts: Record<string, number> = {};
  while (Date.now() < deadline) {
    counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) return;
    await sleep(25);
  }
  throw new Error(`queue ${queue.name} not idle after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
}

/** Removes every job and key of a queue (Redis test runs with a unique prefix). */
export async function obliterateQueue(queue: Queue): Promise<void> {
  await queue.obliterate({ force: true });
}
