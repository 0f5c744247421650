import type { PolicyVersionRow, StoredPolicyRow } from '@gw/policy';

/** Wire shape of a stored policy: its latest version, with the document when one policy is read or saved. */
export interface PolicyResponse {
  policy_id: string;
  version: number;
  generation: 1 | 2;
  name: string | null;
  policy?: unknown;
  size_bytes: number;
  created_at: string;
  updated_at: string;
  created_by: string | null;
  updated_by: string | null;
}

/** Wire shape of one immutable version (the document only in `GET …/versions/{n}`). */
export interface PolicyVersionResponse {
  policy_id: string;
  version: number;
  generation: 1 | 2;
  name: string | null;
  policy?: unknown;
  size_bytes: number;
  created_at: string;
  created_by: string | null;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export function toPolicyResponse(r: StoredPolicyRow, document?: unknown): PolicyResponse {
  return {
    policy_id: r.policyId,
    version: r.version,
    generation: r.generation,
    name: r.name,
    ...(document !== undefined ? { policy: document } : {}),
    size_bytes: r.sizeBytes,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    created_by: r.createdBy,
    updated_by: r.updatedBy,
  };
}

export function toVersionResponse(r: PolicyVersionRow): PolicyVersionResponse {
  return {
    policy_id: r.policyId,
    version: r.version,
    generation: r.generation,
    name: r.name,
    ...(r.document !== undefined ? { policy: r.document } : {}),
    size_bytes: r.sizeBytes,
    created_at: r.createdAt.toISOString(),
    created_by: r.createdBy,
  };
}

const common = {
  policy_id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,127}$', example: 'support-bot' },
  version: { type: 'integer', minimum: 1, description: 'Every save is a new immutable version: 1, 2, 3 …' },
  generation: { type: 'integer', enum: [1, 2], description: 'Schema generation of the document (spec §4.1)' },
  name: { type: 'string', nullable: true },
  size_bytes: { type: 'integer', description: 'UTF-8 bytes of the document as JSON' },
  created_by: { type: 'string', format: 'uuid', nullable: true },
};
const document = { type: 'object', description: 'The policy document as saved (Gen-1 PolicyConfig or Gen-2 Policy)' };

export const POLICY_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    ...common,
    policy: document,
    created_at: { type: 'string', format: 'date-time', description: 'When the policy was created (or re-created after a delete)' },
    updated_at: { type: 'string', format: 'date-time', description: 'When its latest version was saved' },
    updated_by: { type: 'string', format: 'uuid', nullable: true, description: 'Who saved the latest version' },
  },
};

export const POLICY_VERSION_RESPONSE_SCHEMA = {
  type: 'object',
  properties: { ...common, policy: document, created_at: { type: 'string', format: 'date-time' }, created_by: { ...common.created_by, description: 'Who saved this version' } },
};

/** The list envelope; list items carry no `policy` document (each may be up to 1 MiB). */
export const pageSchema = (item: object) => ({
  type: 'object',
  properties: { data: { type: 'array', items: item }, has_more: { type: 'boolean' }, next_cursor: { type: 'string', nullable: true } },
});
