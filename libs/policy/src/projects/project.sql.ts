import type { QuotaSpec } from '../engine';
import type { ProjectKeyRecord, ProjectRecord, WebTools } from './project.types';

type Raw = Record<string, unknown>;

export const PROJECT_COLUMNS = `org_id, project_id, name, description, status, policy_id, budget, user_quota, web_tools, revision, created_at, updated_at, created_by`;

export const toProject = (r: Raw): ProjectRecord => ({
  orgId: r.org_id as string,
  projectId: r.project_id as string,
  name: r.name as string,
  description: (r.description as string | null) ?? null,
  status: r.status as 'active' | 'disabled',
  policyId: (r.policy_id as string | null) ?? null,
  budget: (r.budget as QuotaSpec | null) ?? null,
  userQuota: (r.user_quota as QuotaSpec | null) ?? null,
  webTools: (r.web_tools as WebTools | null) ?? null,
  revision: r.revision as number,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  createdBy: (r.created_by as string | null) ?? null,
});

export const KEY_COLUMNS = `id, label, project_id, key_preview, revoked_at, created_at`;

export const toProjectKey = (r: Raw): ProjectKeyRecord => ({
  id: r.id as string,
  label: r.label as string,
  projectId: r.project_id as string,
  keyPreview: r.key_preview as string,
  revoked: r.revoked_at !== null,
  createdAt: r.created_at as Date,
});

export const INSERT_PROJECT = `INSERT INTO project (org_id, project_id, name, description, status, policy_id, budget, user_quota, web_tools, created_by)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10)
  ON CONFLICT (org_id, project_id) DO NOTHING RETURNING ${PROJECT_COLUMNS}`;

export const UPDATE_PROJECT = `UPDATE project SET name = $3, description = $4, status = $5, policy_id = $6, budget = $7::jsonb, user_quota = $8::jsonb,
    web_tools = $9::jsonb, revision = revision + 1, updated_at = now()
  WHERE org_id = $1 AND project_id = $2 RETURNING ${PROJECT_COLUMNS}`;

export const LOCK_PROJECT = `SELECT ${PROJECT_COLUMNS} FROM project WHERE org_id = $1 AND project_id = $2 FOR UPDATE`;

export const LIVE_POLICY = `SELECT 1 FROM policy WHERE org_id = $1 AND policy_id = $2 AND deleted_at IS NULL`;
