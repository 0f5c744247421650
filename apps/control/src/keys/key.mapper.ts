import type { ApiKeyInfo } from '@gw/identity';

/** Wire shape of a key (never the hash; the plaintext only in the creation response). */
export interface KeyResponse {
  id: string;
  label: string;
  key_preview: string;
  user_id: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  rate_limit_per_minute: number | null;
  revoked: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toKeyResponse(k: ApiKeyInfo): KeyResponse {
  return {
    id: k.id,
    label: k.label,
    key_preview: k.keyPreview,
    user_id: k.userId,
    created_at: k.createdAt.toISOString(),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
    rate_limit_per_minute: k.rateLimitPerMinute,
    revoked: k.revokedAt !== null,
  };
}

export const KEY_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    label: { type: 'string' },
    key_preview: { type: 'string', example: 'ak_AbCd…wxyz' },
    user_id: { type: 'string', format: 'uuid', nullable: true },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time', nullable: true },
    revoked_at: { type: 'string', format: 'date-time', nullable: true },
    last_used_at: { type: 'string', format: 'date-time', nullable: true },
    rate_limit_per_minute: { type: 'integer', nullable: true },
    revoked: { type: 'boolean' },
  },
};

export const CREATED_KEY_RESPONSE_SCHEMA = {
  ...KEY_RESPONSE_SCHEMA,
  properties: { ...KEY_RESPONSE_SCHEMA.properties, key: { type: 'string', description: 'The plaintext key; shown only in this response' } },
};
