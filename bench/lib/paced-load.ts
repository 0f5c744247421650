/**
 * Open-loop load at a fixed rate (the soak needs a steady offered load, not a closed loop that slows down with
 * the target): every 5 ms it starts the requests that are due, through one undici Pool, and records each one's
 * start time and latency. In-flight requests are capped; requests that could not start on time are counted.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface PacedSample {
  /** Seconds since the load started. */
  t: number;
  ms: number;
  ok: boolean;
}

export interface PacedResult {
  samples: PacedSample[];
  /** Requests that were due but not started because `maxInflight` were already open (the target fell behind). */
  skipped: number;
  errors: Map<string, number>;
}

export interface PacedLoad {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  rps: number;
  durationS: number;
  connections?: number;
  maxInflight?: number;
}

export async function pacedLoad(o: PacedLoad): Promise<PacedResult> {
  const pool = new Pool(o.origin, { connections: o.connections ?? 64, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const samples: PacedSample[] = [];
  const errors = new Map<string, number>();
  const maxInflight = o.maxInflight ?? 512;
  let inflight = 0;
  let started = 0;
  let skipped = 0;
  const t0 = performance.now();
  const one = async (): Promise<void> => {
    const start = performance.now();
    inflight++;
    let ok = false;
    try {
      const res = await pool.request({ method: 'POST', path: o.path, headers: o.headers, body: o.body });
      await res.body.dump();
      ok = res.statusCode >= 200 && res.statusCode < 300;
      if (!ok) errors.set(`HTTP ${res.statusCode}`, (errors.get(`HTTP ${res.statusCode}`) ?? 0) + 1);
    } catch (err) {
      const code = (err as { code?: string }).code ?? String(err);
      errors.set(code, (errors.get(code) ?? 0) + 1);
    } finally {
      inflight--;
      samples.push({ t: (start - t0) / 1000, ms: performance.now() - start, ok });
    }
  };
  const pending = new Set<Promise<void>>();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = (performance.now() - t0) / 1000;
      if (elapsed >= o.durationS) {
        clearInterval(timer);
        return resolve();
      }
      const due = Math.floor(elapsed * o.rps) - started - skipped;
      for (let i = 0; i < due; i++) {
        if (inflight >= maxInflight) {
          skipped++;
          continue;
        }
        started++;
        const p = one();
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
    }, 5);
  });
  await Promise.all(pending);
  await pool.close();
  return { samples, skipped, errors };
}
