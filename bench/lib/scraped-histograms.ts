/**
 * The gateway's own view of a window, from two scrapes of its `/metrics`: the difference of a Prometheus histogram
 * (every label set summed) as a count, a mean and bucket-bound percentiles. S5 uses it to split a stream's TTFT into
 * what the gateway saw (arrival to first token, `gateway_ttft_seconds`) and admission's round trip
 * (`gateway_admission_seconds`), so a slow tail reads as the stores, the gateway, or before the gateway (accept, connect);
 * and the main thread's event-loop delay and GC pauses over the window (prom-client's default metrics: the delay
 * histogram is reset at every scrape, so the second scrape's figures cover the window alone).
 * A hand-written reader: the exposition format's histogram lines are all it needs (no client library parses text).
 */

/** Cumulative bucket counts by upper bound (seconds), and the sum and count, summed over label sets. */
export interface HistogramSnapshot {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

export interface WindowHistogram {
  count: number;
  meanMs: number;
  /** The upper bound (ms) of the bucket holding the percentile: "at most". Infinity above the largest bucket. */
  p50Ms: number;
  p99Ms: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*?)(_bucket|_sum|_count)(?:\{([^}]*)\})? ([0-9.eE+-]+|NaN|\+Inf)$/;

/** A scrape: its histograms, and its samples without labels (gauges such as the event loop's delay) by name. */
export interface Scrape {
  histograms: Map<string, HistogramSnapshot>;
  values: Map<string, number>;
}

const PLAIN = /^([a-zA-Z_:][a-zA-Z0-9_:]*) ([0-9.eE+-]+)$/;

export function parseScrape(text: string): Scrape {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = PLAIN.exec(line);
    if (m) values.set(m[1], Number(m[2]));
  }
  return { histograms: parseHistograms(text), values };
}

/** Every histogram of a scrape by name. */
export function parseHistograms(text: string): Map<string, HistogramSnapshot> {
  const out = new Map<string, HistogramSnapshot>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, name, part, labels = '', raw] = m;
    const h = out.get(name) ?? { buckets: new Map<number, number>(), sum: 0, count: 0 };
    out.set(name, h);
    const v = Number(raw);
    if (part === '_sum') h.sum += v;
    else if (part === '_count') h.count += v;
    else {
      const le = /(?:^|,)le="([^"]+)"/.exec(labels)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      h.buckets.set(bound, (h.buckets.get(bound) ?? 0) + v);
    }
  }
  return out;
}

/** `after − before` of one histogram; undefined when the window observed nothing. */
export function windowOf(before: HistogramSnapshot | undefined, after: HistogramSnapshot | undefined): WindowHistogram | undefined {
  if (!after) return undefined;
  const count = after.count - (before?.count ?? 0);
  if (count <= 0) return undefined;
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => (after.buckets.get(b) ?? 0) - (before?.buckets.get(b) ?? 0));
  const at = (p: number) => {
    const rank = Math.ceil(p * count);
    const i = cumulative.findIndex((c) => c >= rank);
    return i < 0 ? Infinity : bounds[i] * 1000;
  };
  return { count, meanMs: ((after.sum - (before?.sum ?? 0)) / count) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Scrapes `<origin>/metrics`; undefined when it is off or unreachable (the bench goes on without it). */
export async function scrape(origin: string): Promise<Scrape | undefined> {
  try {
    const res = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? parseScrape(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}
