import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { IdentityChangeFeed, type IdentityChange } from './identity-change.feed';
import type { ApiKeyPrincipal } from './principal';

export interface ApiKeyCacheOptions {
  databaseUrl: string;
  /** Longest time a key (or a user's state) is trusted without a database read (0 disables the caches). */
  ttlMs: number;
  maxEntries?: number;
}

interface Entry {
  principal: ApiKeyPrincipal;
  until: number;
}

/**
 * Keeps authenticated keys in memory so a request needs no database read, without weakening
 * revocation: every change that can invalidate a key (its revocation; its user's disable, deletion or
 * role change) is announced with NOTIFY after it commits, and each replica evicts the key as soon as
 * its {@link IdentityChangeFeed} receives it. Entries are trusted only while that feed listens, and
 * expire with the key and after `ttlMs` at the latest.
 *
 * A lookup that started before an eviction must not re-insert what it read: callers take a
 * {@link ticket} before reading the database and hand it to {@link set}, which ignores the entry if
 * any eviction happened in between.
 */
export class ApiKeyCache implements OnModuleInit, OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly feed: IdentityChangeFeed;
  private readonly ownsFeed: boolean;
  private epoch = 0;

  constructor(
    private readonly opts: ApiKeyCacheOptions,
    feed?: IdentityChangeFeed,
  ) {
    this.ownsFeed = !feed;
    this.feed = feed ?? new IdentityChangeFeed(opts.databaseUrl);
    this.feed.subscribe((change) => this.apply(change));
  }

  async onModuleInit(): Promise<void> {
    if (this.ownsFeed && this.opts.ttlMs > 0) await this.feed.onModuleInit();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.ownsFeed) await this.feed.onModuleDestroy();
  }

  /** Taken before a database read whose result may be {@link set}. */
  ticket(): number {
    return this.epoch;
  }

  get(hash: string, now = Date.now()): ApiKeyPrincipal | undefined {
    if (!this.feed.listening) return undefined;
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until > now) return e.principal;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, principal: ApiKeyPrincipal, expiresAt: Date | null, ticket = this.epoch, now = Date.now()): void {
    if (!this.feed.listening || ticket !== this.epoch) return;
    if (this.entries.size >= (this.opts.maxEntries ?? 100_000)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { principal, until: Math.min(now + this.opts.ttlMs, expiresAt?.getTime() ?? Infinity) });
  }

  /** Evicts every entry of one key (or everything for `*`). */
  evict(keyId: string): void {
    this.apply(keyId === '*' ? { kind: 'all' } : { kind: 'key', id: keyId });
  }

  private apply(change: IdentityChange): void {
    this.epoch++;
    if (change.kind === 'all') return this.entries.clear();
    const field = change.kind === 'key' ? 'keyId' : 'userId';
    for (const [hash, e] of this.entries) if (e.principal[field] === change.id) this.entries.delete(hash);
  }
}
