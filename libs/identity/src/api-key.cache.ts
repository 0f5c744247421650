import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FeedTrustedCache } from './feed-trusted-cache';
import { IdentityChangeFeed, type IdentityChange } from './identity-change.feed';
import type { ApiKeyPrincipal } from './principal';

export interface ApiKeyCacheOptions {
  databaseUrl: string;
  /** Longest time a key (or a user's state) is trusted without a database read (0 disables the caches). */
  ttlMs: number;
  maxEntries?: number;
}

/**
 * Keeps authenticated keys in memory so a request needs no database read, without weakening
 * revocation: every change that can invalidate a key (its revocation; its user's disable, deletion or
 * role change) is announced with NOTIFY after it commits, and each replica evicts the key as soon as
 * its {@link IdentityChangeFeed} receives it. Entries are trusted only while that feed listens, and
 * expire with the key and after `ttlMs` at the latest.
 * The trust mechanics (listening, TTL, bound, tickets) are {@link FeedTrustedCache}'s.
 */
export class ApiKeyCache implements OnModuleInit, OnModuleDestroy {
  private readonly cache: FeedTrustedCache<ApiKeyPrincipal>;
  private readonly feed: IdentityChangeFeed;
  private readonly ownsFeed: boolean;

  constructor(
    private readonly opts: ApiKeyCacheOptions,
    feed?: IdentityChangeFeed,
  ) {
    this.ownsFeed = !feed;
    this.feed = feed ?? new IdentityChangeFeed(opts.databaseUrl);
    this.cache = new FeedTrustedCache(this.feed, opts.maxEntries);
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
    return this.cache.ticket();
  }

  get(hash: string, now = Date.now()): ApiKeyPrincipal | undefined {
    return this.cache.get(hash, now);
  }

  set(hash: string, principal: ApiKeyPrincipal, expiresAt: Date | null, ticket = this.cache.ticket(), now = Date.now()): void {
    this.cache.set(hash, principal, Math.min(now + this.opts.ttlMs, expiresAt?.getTime() ?? Infinity), ticket);
  }

  /** Evicts every entry of one key (or everything for `*`). */
  evict(keyId: string): void {
    this.apply(keyId === '*' ? { kind: 'all' } : { kind: 'key', id: keyId });
  }

  private apply(change: IdentityChange): void {
    if (change.kind === 'all') return this.cache.evict();
    const field = change.kind === 'key' ? 'keyId' : 'userId';
    this.cache.evict((p) => p[field] === change.id);
  }
}
