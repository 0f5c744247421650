import type { AuditQuery } from './audit-query';
import type { CategoryStatsRow, GroupedStatsRow } from './query-sql';

/** The key under which events without a value (no policy decision, no project) are counted. */
export const STATS_NONE = '(none)';
/** Longest range whose days are listed with zeros filled in; longer or open ranges list only days with events. */
const MAX_FILLED_DAYS = 1_000;
const DAY_MS = 86_400_000;

/** The answer of `GET /api/audit/stats`. */
export interface AuditStats {
  from: string | null;
  to: string | null;
  total: number;
  by_decision: Record<string, number>;
  by_category: Record<string, number>;
  by_project: Record<string, number>;
  by_day: Array<{ day: string; count: number }>;
}

const count = (n: string | number) => Number(n);

/** Counts as an object sorted by count (largest first), then key: stable output for dashboards and tests. */
function ranked(rows: Array<{ k: string | null; n: string | number }>): Record<string, number> {
  const sorted = rows
    .map((r) => [r.k ?? STATS_NONE, count(r.n)] as const)
    .sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
  return Object.fromEntries(sorted);
}

/** Every UTC day `[from, to)` touches, or null when the range is open or too long to list. */
function daysOf(from: Date | undefined, to: Date | undefined): string[] | null {
  if (!from || !to) return null;
  const first = Math.floor(from.getTime() / DAY_MS);
  const last = Math.floor((to.getTime() - 1) / DAY_MS);
  if (last - first + 1 > MAX_FILLED_DAYS) return null;
  const days: string[] = [];
  for (let d = first; d <= last; d++) days.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
  return days;
}

/**
 * Shapes the rows of `statsSql` into the stats answer. Events without a decision or project count
 * under {@link STATS_NONE}, so `by_decision` and `by_project` each sum to `total`; `by_category` counts
 * events per category (an event with two categories counts in both, one with none in neither).
 * `by_day` is ascending, with zero days filled in over a bounded range.
 */
export function shapeStats(q: Pick<AuditQuery, 'from' | 'to'>, grouped: GroupedStatsRow[], categories: CategoryStatsRow[]): AuditStats {
  const of = (dim: GroupedStatsRow['dim']) => grouped.filter((r) => r.dim === dim);
  const perDay = new Map(of('day').map((r) => [r.k ?? STATS_NONE, count(r.n)]));
  const days = daysOf(q.from, q.to) ?? [...perDay.keys()].sort();
  return {
    from: q.from?.toISOString() ?? null,
    to: q.to?.toISOString() ?? null,
    total: count(of('total')[0]?.n ?? 0),
    by_decision: ranked(of('decision')),
    by_category: ranked(categories),
    by_project: ranked(of('project')),
    by_day: days.map((day) => ({ day, count: perDay.get(day) ?? 0 })),
  };
}
