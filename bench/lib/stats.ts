/** Percentiles and small summaries for the bench (nearest-rank on a sorted copy). */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export interface Pcts {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

export function pcts(values: readonly number[]): Pcts {
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  return { n: values.length, p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), mean };
}

/** Per-percentile difference a − b (the "added" figures). */
export function minus(a: Pcts, b: Pcts): Pcts {
  return { n: Math.min(a.n, b.n), p50: a.p50 - b.p50, p90: a.p90 - b.p90, p99: a.p99 - b.p99, mean: a.mean - b.mean };
}

/** [q1, q3] of a list. */
export function iqr(values: readonly number[]): [number, number] {
  return [percentile(values, 25), percentile(values, 75)];
}

export function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects with a named error when `p` takes longer than `ms` (a scenario's global timeout). */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} exceeded its ${Math.round(ms / 1000)} s limit`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}
