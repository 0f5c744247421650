import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One counter in one window, as the memory store keeps it. */
export interface MemoryCounter {
  requests: number;
  tokens: number;
  /** Sum of the tokens of `holds`. */
  held: number;
  /** The counter is dropped after this (window end + margin), like the Redis key's expiry. */
  expiresAtMs: number;
  /** Holds in flight: tokens and expiry. */
  holds: Map<string, { tokens: number; expiresAtMs: number }>;
  /** Holds purged on expiry and not settled yet: a late settle adds its tokens, a release gives its request back. */
  expired: Set<string>;
}

export interface QuotaLogger {
  warn(message: string): void;
}

/** Pairs, not objects, so no key (`__proto__`…) can collide with object machinery. */
interface Snapshot {
  version: 1;
  savedAtMs: number;
  counters: Array<[windowKey: string, c: { requests: number; tokens: number; held: number; expiresAtMs: number; holds: Array<[string, number, number]>; expired: string[] }]>;
}

export function toSnapshot(counters: Map<string, MemoryCounter>, nowMs: number): string {
  const snapshot: Snapshot = { version: 1, savedAtMs: nowMs, counters: [] };
  for (const [key, c] of counters) {
    const holds = [...c.holds].map(([id, h]): [string, number, number] => [id, h.tokens, h.expiresAtMs]);
    snapshot.counters.push([key, { requests: c.requests, tokens: c.tokens, held: c.held, expiresAtMs: c.expiresAtMs, holds, expired: [...c.expired] }]);
  }
  return JSON.stringify(snapshot);
}

/**
 * The counters saved at `path`, or an empty map when there is no file. An unreadable file is moved aside
 * (`<path>.corrupt-<ms>`) with a warning rather than failing the boot: the quotas restart from zero then.
 */
export function loadSnapshot(path: string, logger: QuotaLogger): Map<string, MemoryCounter> {
  const counters = new Map<string, MemoryCounter>();
  if (!existsSync(path)) return counters;
  try {
    const snapshot = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
    if (snapshot.version !== 1 || !Array.isArray(snapshot.counters)) throw new Error(`unknown snapshot version ${String(snapshot.version)}`);
    for (const [key, c] of snapshot.counters) {
      const holds = new Map(c.holds.map(([id, tokens, expiresAtMs]) => [id, { tokens, expiresAtMs }] as const));
      counters.set(key, { requests: c.requests, tokens: c.tokens, held: c.held, expiresAtMs: c.expiresAtMs, holds, expired: new Set(c.expired) });
    }
    return counters;
  } catch (err) {
    const aside = `${path}.corrupt-${Date.now()}`;
    renameSync(path, aside);
    logger.warn(`quota snapshot ${path} unreadable (${(err as Error).message}); moved to ${aside}, quotas start from zero`);
    return new Map();
  }
}

/**
 * Writes snapshots atomically (temp file + rename, so a crash mid-write leaves the previous one), one at a time:
 * a save requested while another runs waits for it.
 */
export class SnapshotFile {
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  save(contents: () => string): Promise<void> {
    const next = this.running.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, contents());
      await rename(tmp, this.path);
    });
    this.running = next.catch(() => undefined);
    return next;
  }
}
