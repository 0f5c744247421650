import { Injectable } from '@nestjs/common';
import { IdentityError, managesOrganization, readsOrganization, type Actor } from '@gw/identity';
import { isProjectId, ProjectError, projectIdFromName, ProjectRepository, type IfMatch, type ProjectRecord } from '@gw/policy';
import { encodeCursor, page, parsePageQuery } from '../policies/page-query';
import { settle } from '../policies/policies.service';
import { historyActor } from '../policies/policy-document';
import { createFields, parseCreateKey, parseCreateProject, parsePatchProject, patchedFields } from './project-body';
import { toProjectKeyResponse, toProjectResponse, type ProjectKeyResponse, type ProjectResponse } from './project.mapper';

const invalid = (message: string, param: string) => ProjectError.invalid(message, param);

function writer(a: Actor): void {
  if (!managesOrganization(a.role)) throw IdentityError.forbidden('Only owners and admins manage projects');
}
function reader(a: Actor): void {
  if (!readsOrganization(a.role)) throw IdentityError.forbidden('Members cannot read projects');
}
/** An id from the URL: a malformed one is simply not found (never echoed). */
function urlId(id: string): string {
  if (!isProjectId(id)) throw ProjectError.notFound(id);
  return id;
}

/**
 * Projects and project keys of the caller's organisation (spec §3.7, §4.1.2). Owners and admins write; auditors
 * read; members get 403; another organisation's project is a 404. Like policy writes, every change answers only
 * after its NOTIFY had time to reach the replicas ({@link settle}), so the caller's next request sees it everywhere.
 */
@Injectable()
export class ProjectsService {
  constructor(private readonly projects: ProjectRepository) {}

  async create(actor: Actor, body: unknown): Promise<ProjectRecord> {
    writer(actor);
    const b = parseCreateProject(body);
    const fields = createFields(b, invalid);
    const id = b.project_id ?? projectIdFromName(b.name);
    if (!id) throw invalid("No 'project_id', and none can be derived from this name (it needs a letter or digit)", 'name');
    const created = await this.projects.create(actor.orgId, id, fields, historyActor(actor), toProjectResponse);
    await settle();
    return created;
  }

  /** Id order; the same `{data, has_more, next_cursor}` pages and cursors as the policy list. */
  async list(actor: Actor, query: unknown): Promise<{ data: ProjectResponse[]; has_more: boolean; next_cursor: string | null }> {
    reader(actor);
    const { limit, after } = parsePageQuery(query, 'policy');
    const rows = await this.projects.list(actor.orgId, after, limit + 1);
    return page(rows, limit, toProjectResponse, (r) => encodeCursor('policy', r.projectId));
  }

  async get(actor: Actor, id: string): Promise<ProjectRecord> {
    reader(actor);
    const p = await this.projects.find(actor.orgId, urlId(id));
    if (!p) throw ProjectError.notFound(id);
    return p;
  }

  async patch(actor: Actor, id: string, body: unknown, ifMatch?: IfMatch): Promise<ProjectRecord> {
    writer(actor);
    const b = parsePatchProject(body);
    const updated = await this.projects.update(actor.orgId, urlId(id), (current) => patchedFields(current, b), historyActor(actor), toProjectResponse, ifMatch);
    await settle();
    return updated;
  }

  async delete(actor: Actor, id: string, ifMatch?: IfMatch): Promise<void> {
    writer(actor);
    await this.projects.delete(actor.orgId, urlId(id), historyActor(actor), toProjectResponse, ifMatch);
    await settle();
  }

  async createKey(actor: Actor, id: string, body: unknown): Promise<ProjectKeyResponse & { key: string }> {
    writer(actor);
    const { label } = parseCreateKey(body);
    const { key, plaintext } = await this.projects.createKey(actor.orgId, urlId(id), label, historyActor(actor));
    return { ...toProjectKeyResponse(key), key: plaintext };
  }

  async listKeys(actor: Actor, id: string): Promise<{ data: ProjectKeyResponse[] }> {
    await this.get(actor, id);
    return { data: (await this.projects.listKeys(actor.orgId, id)).map(toProjectKeyResponse) };
  }

  async revokeKey(actor: Actor, id: string, keyId: string): Promise<{ id: string; revoked: true }> {
    writer(actor);
    const key = await this.projects.revokeKey(actor.orgId, urlId(id), keyId, historyActor(actor));
    await settle();
    return { id: key.id, revoked: true };
  }
}
