import { DateTime } from 'luxon';

export type QuotaWindowName = 'daily' | 'weekly' | 'monthly';

/** One calendar window of a quota, in the configured time zone. */
export interface QuotaWindow {
  name: QuotaWindowName;
  /** `d2026-12-04`, `w2026-11-30` (the Monday) or `m2026-12`: the local start date, stable for the whole window. */
  id: string;
  /** First instant of the window (epoch ms). */
  startMs: number;
  /** First instant of the next window (epoch ms): when the quota resets. */
  resetAtMs: number;
}

const UNIT = { daily: 'day', weekly: 'week', monthly: 'month' } as const;
const PREFIX = { daily: 'd', weekly: 'w', monthly: 'm' } as const;

/**
 * The window containing `nowMs`. Start and reset are computed on the calendar of `timeZone`, so a day that
 * changes DST lasts 23 or 25 hours and a month its real length. Luxon's `startOf('week')` uses ISO weeks
 * (Monday first) unless locale weeks are asked for, which this never does.
 * Throws a RangeError on an unknown zone (check it once at boot with {@link isValidTimeZone}).
 */
export function quotaWindow(name: QuotaWindowName, nowMs: number, timeZone: string): QuotaWindow {
  // The window of the last call, while it lasts: luxon's zone arithmetic costs ~30 µs, and every call of a quota'd
  // request needs its counters' windows. Windows of one (name, zone) never overlap, so `start ≤ now < reset` is exact.
  const memoKey = `${name}|${timeZone}`;
  const last = LAST.get(memoKey);
  if (last && nowMs >= last.startMs && nowMs < last.resetAtMs) return last;
  const window = Object.freeze(computeWindow(name, nowMs, timeZone));
  if (LAST.size > 64) LAST.clear();
  LAST.set(memoKey, window);
  return window;
}

const LAST = new Map<string, QuotaWindow>();

function computeWindow(name: QuotaWindowName, nowMs: number, timeZone: string): QuotaWindow {
  const now = DateTime.fromMillis(nowMs, { zone: timeZone });
  if (!isValidTimeZone(timeZone) || !now.isValid) throw new RangeError(`invalid quota time zone '${timeZone}'`);
  const unit = UNIT[name];
  const start = now.startOf(unit);
  const reset = start.plus({ [unit]: 1 });
  const date = name === 'monthly' ? start.toFormat('yyyy-MM') : start.toFormat('yyyy-MM-dd');
  return { name, id: `${PREFIX[name]}${date}`, startMs: start.toMillis(), resetAtMs: reset.toMillis() };
}

/**
 * True for an IANA zone (`Europe/Berlin`, `UTC`) or a fixed offset luxon understands (`UTC+2`). `local` and
 * `system` are refused: they would make replicas on differently configured hosts disagree about windows.
 */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.trim() === '') return false;
  const lower = tz.toLowerCase();
  if (lower === 'local' || lower === 'system') return false;
  return DateTime.fromMillis(0).setZone(tz).isValid;
}
