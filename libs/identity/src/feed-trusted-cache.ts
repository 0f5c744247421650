import type { IdentityChangeFeed } from './identity-change.feed';

interface Entry<V> {
  value: V;
  until: number;
}

/**
 * The trust model both identity caches share: entries are served only while the
 * {@link IdentityChangeFeed} listens (a missed NOTIFY can never keep a revoked entry alive), expire
 * after their TTL, are bounded in number (oldest first), and a read that started before an eviction
 * cannot re-insert what it read: callers take a {@link ticket} before reading the database and hand it
 * to {@link set}, which ignores the value if any eviction happened in between.
 */
export class FeedTrustedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private epoch = 0;

  constructor(
    private readonly feed: IdentityChangeFeed,
    private readonly maxEntries = 100_000,
  ) {}

  ticket(): number {
    return this.epoch;
  }

  get(key: string, now = Date.now()): V | undefined {
    if (!this.feed.listening) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until > now) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, until: number, ticket: number): void {
    if (!this.feed.listening || ticket !== this.epoch) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }

  /** Evicts the entries `matches` selects (all of them without it); every eviction invalidates open tickets. */
  evict(matches?: (value: V, key: string) => boolean): void {
    this.epoch++;
    if (!matches) return this.entries.clear();
    for (const [key, e] of this.entries) if (matches(e.value, key)) this.entries.delete(key);
  }
}
