import type { ApiKeyCacheOptions } from './api-key.cache';
import { FeedTrustedCache } from './feed-trusted-cache';
import type { IdentityChange, IdentityChangeFeed } from './identity-change.feed';
import type { Role } from './role';

/** What authorisation needs to know about a user on every request. */
export interface UserState {
  id: string;
  orgId: string;
  role: Role;
  disabled: boolean;
  tokenVersion: number;
}

/**
 * Per-user role, status and token version in memory, under the same trust model as the key cache
 * ({@link FeedTrustedCache}): `user:<id>` notifications evict them.
 */
export class UserStateCache {
  /** null: no such user (deleted); user ids are never reused, so this is safe to remember. */
  private readonly cache: FeedTrustedCache<UserState | null>;

  constructor(
    private readonly opts: Pick<ApiKeyCacheOptions, 'ttlMs' | 'maxEntries'>,
    feed: IdentityChangeFeed,
  ) {
    this.cache = new FeedTrustedCache(feed, opts.maxEntries);
    feed.subscribe((change) => this.apply(change));
  }

  ticket(): number {
    return this.cache.ticket();
  }

  /** `undefined`: not known here (read the database); `null`: known not to exist. */
  get(userId: string, now = Date.now()): UserState | null | undefined {
    return this.cache.get(userId, now);
  }

  set(userId: string, state: UserState | null, ticket: number, now = Date.now()): void {
    this.cache.set(userId, state, now + this.opts.ttlMs, ticket);
  }

  private apply(change: IdentityChange): void {
    if (change.kind === 'all') this.cache.evict();
    else if (change.kind === 'user') this.cache.evict((_, key) => key === change.id);
    else this.cache.evict(() => false); // a key change: nothing to drop, but reads in flight must not be stored
  }
}
