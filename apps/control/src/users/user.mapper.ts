import type { UserInfo } from '@gw/identity';

/** Wire shape of a user (never the password hash; the generated password only in the creation response). */
export interface UserResponse {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  created_at: string;
}

export function toUserResponse(u: UserInfo): UserResponse {
  return { id: u.id, email: u.email, role: u.role, disabled: u.disabled, created_at: u.createdAt.toISOString() };
}

export const USER_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['owner', 'admin', 'auditor', 'member'] },
    disabled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
  },
};

export const CREATED_USER_RESPONSE_SCHEMA = {
  ...USER_RESPONSE_SCHEMA,
  properties: {
    ...USER_RESPONSE_SCHEMA.properties,
    password: { type: 'string', description: 'Generated one-time password; shown only in this response. The user should change it (POST /api/users/me/password).' },
  },
};
