import { Injectable } from '@nestjs/common';
import { API_KEY_CHANNEL, ApiKeyEntity, ApiKeyRepository, ApiKeyService, projectChangePayload, toApiKeyInfo, type ApiKeyInfo } from '@gw/identity';
import { DataSource, type EntityManager } from 'typeorm';
import { appendHistory, type EditType, type HistoryActor } from '../store/policy-history';
import type { IfMatch } from '../store/policy-version.writer';
import { ProjectError } from './project.errors';
import { INSERT_PROJECT, KEY_COLUMNS, LIVE_POLICY, LOCK_PROJECT, PROJECT_COLUMNS, toProject, toProjectKey, UPDATE_PROJECT } from './project.sql';
import type { ProjectFields, ProjectKeyRecord, ProjectRecord } from './project.types';

type Raw = Record<string, unknown>;

/** The identity library's key repository on the caller's transaction. */
const keysOn = (m: EntityManager) => new ApiKeyRepository(m.getRepository(ApiKeyEntity));
/** What the history keeps of a key: never its plaintext or hash. */
const keyHistory = (k: ApiKeyInfo) => ({ id: k.id, label: k.label, key_preview: k.keyPreview, revoked: k.revokedAt !== null });
const projectKey = (k: ApiKeyInfo, projectId: string): ProjectKeyRecord => ({
  id: k.id, label: k.label, projectId, keyPreview: k.keyPreview, revoked: k.revokedAt !== null, createdAt: k.createdAt,
});

/** What the history keeps of a project: the API's own fields (no internal columns). */
export type ProjectSnapshot = (p: ProjectRecord) => unknown;

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const args = (f: ProjectFields) => [f.name, f.description, f.status, f.policyId, json(f.budget), json(f.userQuota), json(f.webTools)];

/** TypeORM answers UPDATE with `[rows, count]`: the rows of either shape. */
async function rowsOf(m: EntityManager, sql: string, params: unknown[]): Promise<Raw[]> {
  const r = await m.query<unknown>(sql, params);
  return (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as Raw[];
}

/**
 * Owns the SQL of `project` and of project keys. Every change is one transaction: the write, its revision
 * history entry, and the NOTIFY (`project:<org>:<id>`, or the key id for a key) that makes every inference replica
 * drop its cached copy at commit, so a disable or a revocation applies from the next request everywhere.
 */
@Injectable()
export class ProjectRepository {
  constructor(private readonly ds: DataSource) {}

  async create(orgId: string, projectId: string, fields: ProjectFields, actor: HistoryActor, snapshot: ProjectSnapshot): Promise<ProjectRecord> {
    return this.ds.transaction(async (m) => {
      await this.checkPolicy(m, orgId, fields.policyId);
      const [row] = await m.query<Raw[]>(INSERT_PROJECT, [orgId, projectId, ...args(fields), actor.kind === 'user' ? actor.id : null]);
      if (!row) throw ProjectError.exists(projectId);
      const project = toProject(row);
      await this.record(m, 'project_create', project, actor, null, snapshot(project));
      return project;
    });
  }

  /** Applies `change` to the current fields under the row's lock; `ifMatch` is checked against the locked revision. */
  async update(orgId: string, projectId: string, change: (current: ProjectRecord) => ProjectFields, actor: HistoryActor, snapshot: ProjectSnapshot, ifMatch?: IfMatch): Promise<ProjectRecord> {
    return this.ds.transaction(async (m) => {
      const current = await this.lock(m, orgId, projectId, ifMatch);
      const fields = change(current);
      if (fields.policyId !== current.policyId) await this.checkPolicy(m, orgId, fields.policyId);
      const [row] = await rowsOf(m, UPDATE_PROJECT, [orgId, projectId, ...args(fields)]);
      const project = toProject(row);
      const editType = current.status === 'active' && project.status === 'disabled' ? 'project_disable' : 'project_update';
      await this.record(m, editType, project, actor, snapshot(current), snapshot(project));
      return project;
    });
  }

  /** Deletes a project no key references (revoked keys too: they stay for audit). */
  async delete(orgId: string, projectId: string, actor: HistoryActor, snapshot: ProjectSnapshot, ifMatch?: IfMatch): Promise<void> {
    await this.ds.transaction(async (m) => {
      const current = await this.lock(m, orgId, projectId, ifMatch);
      const [{ n }] = await m.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM api_key WHERE org_id = $1 AND project_id = $2`, [orgId, projectId]);
      if (Number(n) > 0) throw ProjectError.inUse(projectId, Number(n));
      await m.query(`DELETE FROM project WHERE org_id = $1 AND project_id = $2`, [orgId, projectId]);
      await this.record(m, 'project_delete', current, actor, snapshot(current), null);
    });
  }

  async find(orgId: string, projectId: string): Promise<ProjectRecord | null> {
    const [r] = await this.ds.query<Raw[]>(`SELECT ${PROJECT_COLUMNS} FROM project WHERE org_id = $1 AND project_id = $2`, [orgId, projectId]);
    return r ? toProject(r) : null;
  }

  /** Projects after `afterId` in id order (keyset pagination). */
  async list(orgId: string, afterId: string | null, limit: number): Promise<ProjectRecord[]> {
    const rows = await this.ds.query<Raw[]>(
      `SELECT ${PROJECT_COLUMNS} FROM project WHERE org_id = $1 AND ($2::text IS NULL OR project_id > $2) ORDER BY project_id LIMIT $3`,
      [orgId, afterId, limit],
    );
    return rows.map(toProject);
  }

  /**
   * A new organisation key bound to the project, made by the identity library's own {@link ApiKeyService} (one
   * implementation of generation, hashing and preview) on this transaction, with its history entry. The project
   * row stays locked meanwhile, so a concurrent disable or delete cannot slip in. The plaintext is returned once.
   */
  async createKey(orgId: string, projectId: string, label: string, actor: HistoryActor): Promise<{ key: ProjectKeyRecord; plaintext: string }> {
    return this.ds.transaction(async (m) => {
      const project = await this.lock(m, orgId, projectId);
      if (project.status !== 'active') throw ProjectError.disabled(projectId);
      const { key, plaintext } = await new ApiKeyService(keysOn(m)).create({ orgId, userId: null, label, projectId });
      await appendHistory(m, { orgId, editType: 'key_create', projectId, actor, after: keyHistory(key) });
      return { key: projectKey(key, projectId), plaintext };
    });
  }

  async listKeys(orgId: string, projectId: string): Promise<ProjectKeyRecord[]> {
    const rows = await this.ds.query<Raw[]>(`SELECT ${KEY_COLUMNS} FROM api_key WHERE org_id = $1 AND project_id = $2 ORDER BY created_at DESC, id`, [orgId, projectId]);
    return rows.map(toProjectKey);
  }

  /**
   * Revokes a key of the project (idempotent) through {@link ApiKeyRepository.revoke} on this transaction: its
   * NOTIFY (the key id) evicts the key from every replica's cache at commit, together with the history entry.
   */
  async revokeKey(orgId: string, projectId: string, keyId: string, actor: HistoryActor): Promise<ProjectKeyRecord> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(keyId)) throw ProjectError.keyNotFound();
    return this.ds.transaction(async (m) => {
      const keys = keysOn(m);
      const existing = await keys.findInOrg(orgId, keyId);
      if (existing?.projectId !== projectId) throw ProjectError.keyNotFound();
      const result = await keys.revoke(orgId, keyId);
      if (!result) throw ProjectError.keyNotFound();
      const info = toApiKeyInfo(result.key);
      if (result.changed) await appendHistory(m, { orgId, editType: 'key_revoke', projectId, actor, before: keyHistory(toApiKeyInfo(existing)), after: keyHistory(info) });
      return projectKey(info, projectId);
    });
  }

  private async lock(m: EntityManager, orgId: string, projectId: string, ifMatch?: IfMatch): Promise<ProjectRecord> {
    const [row] = await m.query<Raw[]>(LOCK_PROJECT, [orgId, projectId]);
    if (!row) throw ProjectError.notFound(projectId);
    const current = toProject(row);
    if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.includes(current.revision)) throw ProjectError.preconditionFailed(projectId, current.revision);
    return current;
  }

  private async checkPolicy(m: EntityManager, orgId: string, policyId: string | null): Promise<void> {
    if (policyId === null) return;
    const rows = await m.query<unknown[]>(LIVE_POLICY, [orgId, policyId]);
    if (rows.length === 0) throw ProjectError.unknownPolicy(policyId);
  }

  private async record(m: EntityManager, editType: EditType, p: ProjectRecord, actor: HistoryActor, before: unknown, after: unknown): Promise<void> {
    await appendHistory(m, { orgId: p.orgId, editType, projectId: p.projectId, policyId: p.policyId, actor, before, after });
    await m.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [projectChangePayload(p.orgId, p.projectId)]);
  }
}
