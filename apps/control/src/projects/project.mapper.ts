import type { ProjectKeyRecord, ProjectRecord } from '@gw/policy';

/** A project as the API returns it (and as the revision history keeps it). */
export function toProjectResponse(p: ProjectRecord) {
  return {
    id: p.projectId,
    object: 'project' as const,
    name: p.name,
    description: p.description,
    status: p.status,
    budget: p.budget,
    user_quota: p.userQuota,
    web_tools: p.webTools,
    policy_id: p.policyId,
    revision: p.revision,
    created_at: p.createdAt instanceof Date ? p.createdAt.toISOString() : p.createdAt,
    updated_at: p.updatedAt instanceof Date ? p.updatedAt.toISOString() : p.updatedAt,
  };
}
export type ProjectResponse = ReturnType<typeof toProjectResponse>;

export function toProjectKeyResponse(k: ProjectKeyRecord) {
  return { id: k.id, label: k.label, project_id: k.projectId, key_preview: k.keyPreview, revoked: k.revoked, created_at: k.createdAt.toISOString() };
}
export type ProjectKeyResponse = ReturnType<typeof toProjectKeyResponse>;

const nullable = (schema: Record<string, unknown>) => ({ ...schema, nullable: true });
const quota = nullable({ type: 'object', properties: { requests: { type: 'integer' }, tokens: { type: 'integer' }, window: { type: 'string', enum: ['daily', 'weekly', 'monthly'] } } });

export const PROJECT_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', example: 'proj_support_bot' },
    object: { type: 'string', enum: ['project'] },
    name: { type: 'string' },
    description: { type: 'string', nullable: true },
    status: { type: 'string', enum: ['active', 'disabled'] },
    budget: quota,
    user_quota: quota,
    web_tools: nullable({ type: 'object', properties: { enabled: { type: 'boolean' }, allowed_domains: { type: 'array', items: { type: 'string' } }, blocked_domains: { type: 'array', items: { type: 'string' } } } }),
    policy_id: { type: 'string', nullable: true },
    revision: { type: 'integer' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};

export const PROJECT_KEY_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    label: { type: 'string' },
    project_id: { type: 'string' },
    key_preview: { type: 'string' },
    revoked: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
  },
};
