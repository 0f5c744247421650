import type { QuotaCounter, QuotaLimit, QuotaReserveResult } from './quota-store';
import { quotaWindow, type QuotaWindow } from './quota-window';

/** A window's counter outlives the window by this much, so a late settle still finds it; then it vanishes. */
export const QUOTA_WINDOW_MARGIN_MS = 86_400_000;

/** A counter in the window containing a given instant. */
export interface PlannedCounter {
  counter: QuotaCounter;
  window: QuotaWindow;
  windowKey: string;
}

/** Counts of one counter in one window. */
export interface QuotaCounts {
  requests: number;
  tokens: number;
  held: number;
}

export type QuotaRefusal = Extract<QuotaReserveResult, { ok: false }>;

/**
 * The Redis Cluster hash tag of a counter key: the content of a leading `{…}`, else the part before the first
 * `|`, else the whole key. Counters reserved together must share it (the lead builds `{<org>}|…` keys).
 */
export function quotaTag(key: string): string {
  if (key.charCodeAt(0) === 123) {
    // `{`: the tag is what lies before the first `}`, when that is not empty. Not a regex: this runs for every counter
    // key on every reserve and settle, and `exec` allocates a match array each time.
    const close = key.indexOf('}', 1);
    if (close > 1) return key.slice(1, close);
  }
  const bar = key.indexOf('|');
  return bar > 0 ? key.slice(0, bar) : key;
}

/**
 * Each distinct counter with its window at `nowMs`; duplicates (same key and window) are merged so a call is
 * never charged twice on one counter. The window id ends the key in a fixed format, so `key:id` is unambiguous.
 */
export function planCounters(counters: QuotaCounter[], nowMs: number, timeZone: string): PlannedCounter[] {
  const seen = new Set<string>();
  const planned: PlannedCounter[] = [];
  for (const counter of counters) {
    const window = quotaWindow(counter.limit.window, nowMs, timeZone);
    const windowKey = `${counter.key}:${window.id}`;
    if (seen.has(windowKey)) continue;
    seen.add(windowKey);
    planned.push({ counter, window, windowKey });
  }
  return planned;
}

/** A token count as a non-negative integer (fractions round up); throws on NaN or infinity, a caller bug. */
export function wholeTokens(n: number): number {
  if (!Number.isFinite(n)) throw new TypeError(`quota token count must be finite (got ${n})`);
  return Math.max(0, Math.ceil(n));
}

/** Non-negative integer limit (0 = unlimited); a negative or fractional limit from config is clamped. */
export function limitOf(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * Why a counter refuses a call, or null when it fits (see {@link QuotaStore} for the rule; the Lua script in
 * redis-quota.script.ts implements the same one).
 */
export function refusal(p: PlannedCounter, counts: QuotaCounts, requests: number, tokens: number): QuotaRefusal | null {
  const limit: QuotaLimit = p.counter.limit;
  const maxRequests = limitOf(limit.requests);
  const maxTokens = limitOf(limit.tokens);
  const base = { ok: false as const, scope: p.counter.scope, resetAtMs: p.window.resetAtMs };
  if (maxRequests > 0 && counts.requests + requests > maxRequests) {
    return { ...base, dimension: 'requests', limit: maxRequests, used: counts.requests };
  }
  const spent = counts.tokens + counts.held;
  if (maxTokens > 0 && (spent + tokens > maxTokens || spent >= maxTokens)) {
    return { ...base, dimension: 'tokens', limit: maxTokens, used: spent };
  }
  return null;
}
