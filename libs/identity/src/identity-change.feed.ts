import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';

/** Channel on which every change that can invalidate a credential is announced (NOTIFY after commit). */
export const API_KEY_CHANNEL = 'gw_api_key_changed';

/**
 * Payloads on {@link API_KEY_CHANNEL}: a key id (that key changed), `user:<id>` (that user's role,
 * status, token version or existence changed: forget the user and every key of theirs), or `*`
 * (forget everything). Older replicas that only know key ids treat `user:<id>` as an unknown key id,
 * which evicts nothing, so a mixed-version rollout must restart the inference replicas first.
 */
export type IdentityChange = { kind: 'key'; id: string } | { kind: 'user'; id: string } | { kind: 'all' };

export const USER_CHANGE_PREFIX = 'user:';

export function userChangePayload(userId: string): string {
  return `${USER_CHANGE_PREFIX}${userId}`;
}

/**
 * Stored policies share the channel (and the one LISTEN connection per process): `policy:<orgId>:<policyId>`
 * says that policy got a new version or was deleted. These payloads go only to {@link IdentityChangeFeed.subscribePolicies}
 * handlers; identity caches never see them. (A replica that predates them reads one as an unknown key id: no eviction.)
 */
export const POLICY_CHANGE_PREFIX = 'policy:';

/** A stored policy changed, or `{kind:'all'}` (forget every policy: `*`, or the listener was lost). */
export type PolicyChange = { kind: 'policy'; orgId: string; policyId: string } | { kind: 'all' };

export type PolicyChangeHandler = (change: PolicyChange) => void;

/** Org ids are UUIDs and policy ids slugs: neither holds a `:`, so the payload splits unambiguously. */
export function policyChangePayload(orgId: string, policyId: string): string {
  return `${POLICY_CHANGE_PREFIX}${orgId}:${policyId}`;
}

/** The policy change a payload announces; null when it is not a policy payload. */
export function parsePolicyChange(payload: string | undefined): PolicyChange | null {
  const c = orgScoped(payload, POLICY_CHANGE_PREFIX);
  return c && (c === 'all' ? { kind: 'all' } : { kind: 'policy', orgId: c.orgId, policyId: c.id });
}

/** `<prefix><orgId>:<id>` → its parts; `'all'` when the prefix has no org and id; null for other payloads. */
function orgScoped(payload: string | undefined, prefix: string): { orgId: string; id: string } | 'all' | null {
  if (!payload?.startsWith(prefix)) return null;
  const rest = payload.slice(prefix.length);
  const colon = rest.indexOf(':');
  return colon > 0 ? { orgId: rest.slice(0, colon), id: rest.slice(colon + 1) } : 'all';
}

/** Projects share the channel too: `project:<orgId>:<projectId>` (created, changed, disabled or deleted). */
export const PROJECT_CHANGE_PREFIX = 'project:';

export type ProjectChange = { kind: 'project'; orgId: string; projectId: string } | { kind: 'all' };
export type ProjectChangeHandler = (change: ProjectChange) => void;

export function projectChangePayload(orgId: string, projectId: string): string {
  return `${PROJECT_CHANGE_PREFIX}${orgId}:${projectId}`;
}

/** The project change a payload announces; null when it is not a project payload. */
export function parseProjectChange(payload: string | undefined): ProjectChange | null {
  const c = orgScoped(payload, PROJECT_CHANGE_PREFIX);
  return c && (c === 'all' ? { kind: 'all' } : { kind: 'project', orgId: c.orgId, projectId: c.id });
}

export function parseIdentityChange(payload: string | undefined): IdentityChange {
  if (!payload || payload === '*') return { kind: 'all' };
  if (payload.startsWith(USER_CHANGE_PREFIX)) return { kind: 'user', id: payload.slice(USER_CHANGE_PREFIX.length) };
  return { kind: 'key', id: payload };
}

/** A subscriber gets each change, or `{kind:'all'}` when the listener connection is lost. */
export type IdentityChangeHandler = (change: IdentityChange) => void;

/**
 * One LISTEN connection per process, shared by the key and user caches. Caches trust their entries
 * only while {@link listening} is true: when the connection drops, every subscriber is told to forget
 * everything and the caches are bypassed until it is back, so a missed notification can never keep a
 * revoked credential alive.
 */
export class IdentityChangeFeed implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(IdentityChangeFeed.name);
  private readonly handlers = new Set<IdentityChangeHandler>();
  private readonly policyHandlers = new Set<PolicyChangeHandler>();
  private readonly projectHandlers = new Set<ProjectChangeHandler>();
  private client: Client | undefined;
  private up = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;

  constructor(private readonly databaseUrl: string) {}

  get listening(): boolean {
    return this.up;
  }

  subscribe(handler: IdentityChangeHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Stored-policy changes; `{kind:'all'}` on `*` and whenever the connection is lost. */
  subscribePolicies(handler: PolicyChangeHandler): () => void {
    this.policyHandlers.add(handler);
    return () => this.policyHandlers.delete(handler);
  }

  /** Project changes; `{kind:'all'}` on `*` and whenever the connection is lost. */
  subscribeProjects(handler: ProjectChangeHandler): () => void {
    this.projectHandlers.add(handler);
    return () => this.projectHandlers.delete(handler);
  }

  /** Idempotent (several caches may own a reference). */
  onModuleInit(): Promise<void> {
    this.started ??= this.connect();
    return this.started;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.drop();
    await this.client?.end().catch(() => undefined);
  }

  private emit(change: IdentityChange): void {
    for (const h of this.handlers) h(change);
    if (change.kind === 'all') {
      for (const h of this.policyHandlers) h(change);
      for (const h of this.projectHandlers) h(change);
    }
  }

  private dispatch(payload: string | undefined): void {
    const project = parseProjectChange(payload);
    if (project) {
      for (const h of this.projectHandlers) h(project);
      return;
    }
    const policy = parsePolicyChange(payload);
    if (!policy) return this.emit(parseIdentityChange(payload));
    for (const h of this.policyHandlers) h(policy);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'llm-gateway-key-cache' });
    client.on('notification', (msg) => this.dispatch(msg.payload));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_CHANNEL}`);
      this.up = true;
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: Client, err?: Error): void {
    if (client !== this.client) return;
    const was = this.up;
    this.drop();
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (was) this.log.warn(`identity cache listener lost (${err?.message ?? 'connection ended'}); credentials are read from the database until it is back`);
    this.retry = setTimeout(() => void this.connect(), 1_000);
    this.retry.unref();
  }

  private drop(): void {
    this.up = false;
    this.emit({ kind: 'all' });
  }
}

/** Re-exported with the feed it depends on, so other libs' caches (stored policies) share the same trust model. */
export { FeedTrustedCache } from './feed-trusted-cache';
