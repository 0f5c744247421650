import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import type { ApiKeyPrincipal } from './principal';

/** Channel on which every change that can invalidate a key (revocation...) is announced. */
export const API_KEY_CHANNEL = 'gw_api_key_changed';

export interface ApiKeyCacheOptions {
  databaseUrl: string;
  /** Longest time a key is trusted without a database read (0 disables the cache). */
  ttlMs: number;
  maxEntries?: number;
}

interface Entry {
  principal: ApiKeyPrincipal;
  until: number;
}

/**
 * Keeps authenticated keys in memory so a request needs no database read, without weakening
 * revocation: every revocation is announced with NOTIFY on {@link API_KEY_CHANNEL} after it commits,
 * and each replica evicts the key as soon as its LISTEN connection receives it. Entries are trusted
 * only while that connection is up; when it drops the cache is emptied and bypassed until it is
 * back, so a missed notification can never keep a revoked key alive. Entries also expire with the
 * key and after `ttlMs` at the latest.
 */
export class ApiKeyCache implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(ApiKeyCache.name);
  private readonly entries = new Map<string, Entry>();
  private client: Client | undefined;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ApiKeyCacheOptions) {}

  async onModuleInit(): Promise<void> {
    if (this.opts.ttlMs > 0) await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.drop();
    await this.client?.end().catch(() => undefined);
  }

  get(hash: string, now = Date.now()): ApiKeyPrincipal | undefined {
    if (!this.listening) return undefined;
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until > now) return e.principal;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, principal: ApiKeyPrincipal, expiresAt: Date | null, now = Date.now()): void {
    if (!this.listening) return;
    if (this.entries.size >= (this.opts.maxEntries ?? 100_000)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { principal, until: Math.min(now + this.opts.ttlMs, expiresAt?.getTime() ?? Infinity) });
  }

  /** Evicts every entry of one key (or everything for `*`). */
  evict(keyId: string): void {
    if (keyId === '*') return this.entries.clear();
    for (const [hash, e] of this.entries) if (e.principal.keyId === keyId) this.entries.delete(hash);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: 'llm-gateway-key-cache' });
    client.on('notification', (msg) => this.evict(msg.payload ?? '*'));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_CHANNEL}`);
      this.listening = true;
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: Client, err?: Error): void {
    if (client !== this.client) return;
    const was = this.listening;
    this.drop();
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (was) this.log.warn(`key-cache listener lost (${err?.message ?? 'connection ended'}); keys are read from the database until it is back`);
    this.retry = setTimeout(() => void this.connect(), 1_000);
    this.retry.unref();
  }

  private drop(): void {
    this.listening = false;
    this.entries.clear();
  }
}
