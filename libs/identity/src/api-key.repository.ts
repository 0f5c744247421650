import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type FindOptionsWhere, type Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import type { Role } from './role';
import { API_KEY_CHANNEL } from './identity-change.feed';

export interface NewApiKeyRow {
  orgId: string;
  userId: string | null;
  label: string;
  keyHash: Buffer;
  keyPreview: string;
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
  /** Project keys: the project (of the same organisation) whose policy and quotas apply. */
  projectId?: string | null;
}

/** What authentication needs about a usable key, in one indexed lookup. */
export interface ActiveApiKeyRow {
  id: string;
  org_id: string;
  user_id: string | null;
  rate_limit_per_minute: number | null;
  project_id: string | null;
  org_rate_limit_per_minute: number | null;
  role: Role | null;
  last_used_at: Date | null;
  expires_at: Date | null;
}

/** Key is not revoked, not expired, and its user (if any) is not disabled. Uses UQ_api_key_key_hash. */
const FIND_ACTIVE_SQL = `
  SELECT k.id, k.org_id, k.user_id, k.project_id, k.rate_limit_per_minute, k.last_used_at, k.expires_at,
         o.rate_limit_per_minute AS org_rate_limit_per_minute, u.role
    FROM api_key k
    JOIN organization o ON o.id = k.org_id
    LEFT JOIN app_user u ON u.id = k.user_id
   WHERE k.key_hash = $1
     AND k.revoked_at IS NULL
     AND (k.expires_at IS NULL OR k.expires_at > now())
     AND (k.user_id IS NULL OR u.disabled = false)`;

/** Owns the SQL of the api_key table. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  insert(row: NewApiKeyRow): Promise<ApiKeyEntity> {
    return this.keys.save(this.keys.create({ ...row, projectId: row.projectId ?? null, revokedAt: null, lastUsedAt: null }));
  }

  async findActiveByKeyHash(keyHash: Buffer): Promise<ActiveApiKeyRow | null> {
    const rows = await this.keys.query<ActiveApiKeyRow[]>(FIND_ACTIVE_SQL, [keyHash]);
    return rows[0] ?? null;
  }

  /** Keys of an organisation, or of one user in it; newest first. */
  listByOrg(orgId: string, userId?: string | null): Promise<ApiKeyEntity[]> {
    const where: FindOptionsWhere<ApiKeyEntity> = { orgId };
    if (userId !== undefined) where.userId = userId ?? IsNull();
    return this.keys.find({ where, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  findInOrg(orgId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ orgId, id });
  }

  /** Sets revoked_at once; returns the row (null when it does not exist in that organisation). */
  async revoke(orgId: string, id: string): Promise<{ key: ApiKeyEntity; changed: boolean } | null> {
    const result = await this.keys.update({ orgId, id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    // After the commit: every replica's key cache evicts the key before this call returns.
    if ((result.affected ?? 0) > 0) await this.keys.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [id]);
    const key = await this.findInOrg(orgId, id);
    return key ? { key, changed: (result.affected ?? 0) > 0 } : null;
  }

  async touchLastUsed(id: string): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: () => 'now()' });
  }
}
