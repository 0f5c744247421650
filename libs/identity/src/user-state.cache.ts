import type { ApiKeyCacheOptions } from './api-key.cache';
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

interface Entry {
  /** null: no such user (deleted); user ids are never reused, so this is safe to remember. */
  state: UserState | null;
  until: number;
}

/**
 * Per-user role, status and token version in memory, under the same trust model as the key cache:
 * entries are served only while the shared {@link IdentityChangeFeed} listens, `user:<id>`
 * notifications evict them, and a read that raced an eviction is not stored (tickets).
 */
export class UserStateCache {
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;

  constructor(
    private readonly opts: Pick<ApiKeyCacheOptions, 'ttlMs' | 'maxEntries'>,
    private readonly feed: IdentityChangeFeed,
  ) {
    feed.subscribe((change) => this.apply(change));
  }

  ticket(): number {
    return this.epoch;
  }

  /** `undefined`: not known here (read the database); `null`: known not to exist. */
  get(userId: string, now = Date.now()): UserState | null | undefined {
    if (!this.feed.listening) return undefined;
    const e = this.entries.get(userId);
    if (!e) return undefined;
    if (e.until > now) return e.state;
    this.entries.delete(userId);
    return undefined;
  }

  set(userId: string, state: UserState | null, ticket: number, now = Date.now()): void {
    if (!this.feed.listening || ticket !== this.epoch) return;
    if (this.entries.size >= (this.opts.maxEntries ?? 100_000)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(userId, { state, until: now + this.opts.ttlMs });
  }

  private apply(change: IdentityChange): void {
    this.epoch++;
    if (change.kind === 'all') this.entries.clear();
    else if (change.kind === 'user') this.entries.delete(change.id);
  }
}
