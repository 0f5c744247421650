import type { DataSource, EntityManager } from 'typeorm';

/** Who made a change: a user (JWT or a user's key), an organisation key, or the gateway itself (auto-rollback). */
export interface HistoryActor {
  kind: 'user' | 'api_key' | 'system';
  /** User id, key id, or the system actor's name (`auto-rollback`, `rollback-cooldown`). */
  id: string | null;
}

/** What a revision entry records (`policy_history`, spec §4.9.2 `type: "revision"`). */
export type EditType =
  | 'policy_create'
  | 'policy_update'
  | 'policy_delete'
  | 'policy_restore'
  | 'config_save'
  | 'rollback_auto'
  | 'rollback_manual'
  | 'rollback_ended'
  | 'rollback_resume'
  | 'project_create'
  | 'project_update'
  | 'project_disable'
  | 'project_delete'
  | 'key_create'
  | 'key_revoke';

export interface RevisionEntry {
  orgId: string;
  editType: EditType;
  policyId?: string | null;
  policyVersion?: number | null;
  projectId?: string | null;
  actor: HistoryActor;
  /** State before and after the change (a policy document, a project, a rollout state); never a key's secret. */
  before?: unknown;
  after?: unknown;
  /** Anything else worth keeping (rollback statistics, a restore's source version...). */
  details?: Record<string, unknown>;
}

const INSERT = `INSERT INTO policy_history (org_id, edit_type, policy_id, policy_version, project_id, actor_kind, actor_id, before, after, details)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb) RETURNING id, created_at`;

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/**
 * Appends one revision entry. Pass the transaction's manager so the entry commits (or not) with the change it
 * describes: a change without its history entry, or an entry for a change that rolled back, cannot happen.
 */
export async function appendHistory(m: EntityManager | DataSource, e: RevisionEntry): Promise<{ id: string; createdAt: Date }> {
  const [row] = await m.query<Array<{ id: string; created_at: Date }>>(INSERT, [
    e.orgId,
    e.editType,
    e.policyId ?? null,
    e.policyVersion ?? null,
    e.projectId ?? null,
    e.actor.kind,
    e.actor.id,
    json(e.before),
    json(e.after),
    json(e.details),
  ]);
  return { id: String(row.id), createdAt: row.created_at };
}

/** A policy change: the documents come from `policy_version` by number, so they are copied inside Postgres. */
export interface PolicyRevision {
  orgId: string;
  editType: Extract<EditType, 'policy_create' | 'policy_update' | 'policy_delete' | 'policy_restore' | 'config_save'>;
  policyId: string;
  policyVersion: number;
  /** The versions whose documents are `before` and `after` (null: none, e.g. before a create, after a delete). */
  beforeVersion: number | null;
  afterVersion: number | null;
  actor: HistoryActor;
  details?: Record<string, unknown>;
}

const INSERT_POLICY = `INSERT INTO policy_history (org_id, edit_type, policy_id, policy_version, actor_kind, actor_id, before, after, details)
  SELECT $1, $2, $3, $4, $5, $6,
    (SELECT document FROM policy_version WHERE org_id = $1 AND policy_id = $3 AND version = $7),
    (SELECT document FROM policy_version WHERE org_id = $1 AND policy_id = $3 AND version = $8),
    $9::jsonb
  RETURNING id, created_at`;

/**
 * {@link appendHistory} for a policy's own change, `before`/`after` being stored versions: a document (up to
 * 1 MiB) is never shipped back and forth between Node and Postgres to be recorded. Same transaction rule.
 */
export async function appendPolicyRevision(m: EntityManager, e: PolicyRevision): Promise<{ id: string; createdAt: Date }> {
  const [row] = await m.query<Array<{ id: string; created_at: Date }>>(INSERT_POLICY, [
    e.orgId,
    e.editType,
    e.policyId,
    e.policyVersion,
    e.actor.kind,
    e.actor.id,
    e.beforeVersion,
    e.afterVersion,
    json(e.details),
  ]);
  return { id: String(row.id), createdAt: row.created_at };
}
