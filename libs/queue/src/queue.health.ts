import type { Queue } from 'bullmq';

export interface QueueHealth {
  ok: boolean;
  latencyMs: number;
  counts?: Record<string, number>;
  error?: string;
}

/** Reads the job counts with a short timeout; never throws (for readiness probes and admin views). */
export async function checkQueue(queue: Queue, timeoutMs = 1_000): Promise<QueueHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const counts = await Promise.race([queue.getJobCounts('waiting', 'active', 'delayed', 'failed'), timeout]);
    return { ok: true, latencyMs: Math.round(performance.now() - started), counts };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
