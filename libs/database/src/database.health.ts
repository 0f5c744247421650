import type { DataSource } from 'typeorm';

export interface HealthResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** `SELECT 1` with a short timeout; never throws (for readiness probes). */
export async function checkDatabase(dataSource: DataSource, timeoutMs = 1_000): Promise<HealthResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    if (!dataSource.isInitialized) throw new Error('data source is not initialised');
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
