import { Inject, Injectable, Optional } from '@nestjs/common';
import { ApiKeyCache } from './api-key.cache';
import type { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { generateApiKey, hashApiKey, isWellFormedApiKey, previewApiKey } from './api-key.util';
import { IdentityError } from './identity.errors';
import { isUuid, rethrowCallerFault } from './identity-text';
import type { Actor, ApiKeyPrincipal } from './principal';
import { managesOrganization, readsOrganization } from './role';

/** last_used_at is refreshed at most this often per key (one write per key per minute, not per request). */
const LAST_USED_RESOLUTION_MS = 60_000;
/** How long a revocation waits for replicas' key caches to receive its NOTIFY before it returns. */
export const REVOCATION_PROPAGATION_MS = 50;

/** Key metadata as exposed by the services (never the hash, never the plaintext). */
export interface ApiKeyInfo {
  id: string;
  orgId: string;
  userId: string | null;
  label: string;
  keyPreview: string;
  rateLimitPerMinute: number | null;
  /** Project keys only. */
  projectId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface CreateApiKeyInput {
  orgId: string;
  userId: string | null;
  label: string;
  rateLimitPerMinute?: number | null;
  expiresAt?: Date | null;
  /** Project keys (organisation keys: `userId` null) belong to this project. */
  projectId?: string | null;
}

export type ApiKeyRevokedListener = (key: ApiKeyInfo) => void;

export function toApiKeyInfo(e: ApiKeyEntity): ApiKeyInfo {
  return {
    id: e.id,
    orgId: e.orgId,
    userId: e.userId,
    label: e.label,
    keyPreview: e.keyPreview,
    rateLimitPerMinute: e.rateLimitPerMinute,
    projectId: e.projectId ?? null,
    expiresAt: e.expiresAt,
    revokedAt: e.revokedAt,
    createdAt: e.createdAt,
    lastUsedAt: e.lastUsedAt,
  };
}

/** Creates, lists, revokes and authenticates `ak_` keys. Plaintext keys are never stored or logged. */
@Injectable()
export class ApiKeyService {
  private readonly revokedListeners = new Set<ApiKeyRevokedListener>();

  constructor(
    private readonly keys: ApiKeyRepository,
    @Optional() @Inject(ApiKeyCache) private readonly cache?: ApiKeyCache,
  ) {}

  /** The only moment the plaintext exists: return it to the caller once. */
  async create(input: CreateApiKeyInput): Promise<{ key: ApiKeyInfo; plaintext: string }> {
    const plaintext = generateApiKey();
    const row = await this.keys
      .insert({
        orgId: input.orgId,
        userId: input.userId,
        label: input.label,
        keyHash: hashApiKey(plaintext),
        keyPreview: previewApiKey(plaintext),
        rateLimitPerMinute: input.rateLimitPerMinute ?? null,
        expiresAt: input.expiresAt ?? null,
        projectId: input.projectId ?? null,
      })
      // The schema already refuses what Postgres cannot store; a user deleted since the guard ran is a 401.
      .catch((err: unknown) => rethrowCallerFault(err, 'label'));
    return { key: toApiKeyInfo(row), plaintext };
  }

  /** Owners, admins and auditors see the organisation's keys; members see their own. */
  async list(actor: Actor): Promise<ApiKeyInfo[]> {
    const rows = readsOrganization(actor.role) ? await this.keys.listByOrg(actor.orgId) : await this.keys.listByOrg(actor.orgId, actor.userId);
    return rows.map(toApiKeyInfo);
  }

  /**
   * Owners and admins revoke any key of their organisation; members and auditors their own. A key
   * outside that scope (another organisation's included) is a 404, never a 403. Idempotent.
   */
  async revoke(actor: Actor, keyId: string): Promise<ApiKeyInfo> {
    if (!isUuid(keyId)) throw IdentityError.keyNotFound(keyId);
    const existing = await this.keys.findInOrg(actor.orgId, keyId);
    if (!existing || !(managesOrganization(actor.role) || (actor.userId !== null && existing.userId === actor.userId))) {
      throw IdentityError.keyNotFound(keyId);
    }
    const result = await this.keys.revoke(actor.orgId, keyId);
    if (!result) throw IdentityError.keyNotFound(keyId);
    const info = toApiKeyInfo(result.key);
    if (result.changed) {
      // Replicas evict the key when its NOTIFY reaches them (sub-millisecond on one Postgres); the
      // caller hears "revoked" only after that window, so its next request is refused everywhere.
      await new Promise((r) => setTimeout(r, REVOCATION_PROPAGATION_MS));
      this.emitRevoked(info);
    }
    return info;
  }

  /** The principal behind a usable key; null for malformed, unknown, revoked or expired keys. */
  async authenticate(plaintext: string): Promise<ApiKeyPrincipal | null> {
    if (!isWellFormedApiKey(plaintext)) return null;
    const hash = hashApiKey(plaintext);
    const cacheKey = this.cache ? hash.toString('base64') : '';
    const cached = this.cache?.get(cacheKey);
    if (cached) return cached;
    const ticket = this.cache?.ticket() ?? 0;
    const row = await this.keys.findActiveByKeyHash(hash);
    if (!row) return null;
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
      this.keys.touchLastUsed(row.id).catch(() => undefined);
    }
    const principal: ApiKeyPrincipal = {
      kind: 'api_key',
      keyId: row.id,
      orgId: row.org_id,
      userId: row.user_id,
      ...(row.role ? { role: row.role } : {}),
      projectId: row.project_id,
      rateLimitPerMinute: row.rate_limit_per_minute,
      orgRateLimitPerMinute: row.org_rate_limit_per_minute,
    };
    this.cache?.set(cacheKey, principal, row.expires_at, ticket);
    return principal;
  }

  /**
   * Called after each effective revocation in this process (e.g. to broadcast cache invalidation).
   * @returns a function that removes the listener.
   */
  onRevoked(listener: ApiKeyRevokedListener): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private emitRevoked(info: ApiKeyInfo): void {
    for (const listener of this.revokedListeners) {
      try {
        listener(info);
      } catch {
        // A failing listener must not undo or fail the revocation.
      }
    }
  }
}
