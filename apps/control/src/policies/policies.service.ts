import { Injectable } from '@nestjs/common';
import { IdentityError, managesOrganization, readsOrganization, REVOCATION_PROPAGATION_MS, type Actor } from '@gw/identity';
import {
  compilePolicy,
  isPolicyId,
  PolicyRepository,
  PolicyStoreError,
  PolicyValidationError,
  slugifyPolicyName,
  type PolicyIssue,
  type PolicyVersionRow,
  type StoredPolicyRow,
} from '@gw/policy';
import { encodeCursor, page, parsePageQuery } from './page-query';
import { toPolicyResponse, toVersionResponse, type Page, type PolicyResponse, type PolicyVersionResponse } from './policy.mapper';

const ID_RULE = "a stored policy's id is a lower-case slug: [a-z0-9][a-z0-9_.-]{0,127}";
const VERSION = /^[1-9][0-9]{0,9}$/;

/** A validated document and the id it is stored under. */
interface Prepared {
  policyId: string;
  json: string;
  generation: 1 | 2;
  name: string | null;
}

function requireWriter(actor: Actor): void {
  if (!managesOrganization(actor.role)) throw IdentityError.forbidden('Only owners and admins manage policies');
}

function requireReader(actor: Actor): void {
  if (!readsOrganization(actor.role)) throw IdentityError.forbidden('Members cannot read stored policies');
}

/** The id the document asks for, and what is wrong with it (reported with the document's own issues). */
function idOf(doc: unknown, urlId: string | null): { id: string | null; issues: PolicyIssue[] } {
  const fields = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  const own = fields.policy_id;
  if (typeof own === 'string') {
    if (!isPolicyId(own)) return { id: null, issues: [{ path: '/policy_id', message: ID_RULE }] };
    if (urlId !== null && own !== urlId) return { id: null, issues: [{ path: '/policy_id', message: `'${own}' does not match the id in the URL ('${urlId}')` }] };
    return { id: own, issues: [] };
  }
  if (urlId !== null || typeof fields.name !== 'string') return { id: urlId, issues: [] };
  const slug = slugifyPolicyName(fields.name);
  return slug ? { id: slug, issues: [] } : { id: null, issues: [{ path: '/name', message: 'no policy_id, and no id can be derived from this name (it needs a letter or digit)' }] };
}

/**
 * Stored policies of the caller's organisation (issue 9 item 8). Owners and admins write, auditors read,
 * members get a 403 whatever the id (so a 403 says nothing about existence); every lookup is scoped to the
 * actor's organisation, so another organisation's policy is a 404. A write returns once replicas had the
 * propagation window to drop their cached copy (like key revocation).
 */
@Injectable()
export class PoliciesService {
  constructor(private readonly repo: PolicyRepository) {}

  async create(actor: Actor, doc: unknown): Promise<PolicyResponse> {
    requireWriter(actor);
    const p = this.prepare(doc, null);
    const saved = await this.repo.save({ orgId: actor.orgId, createdBy: actor.userId, ...p }, 'create');
    if (!saved) throw PolicyStoreError.exists(p.policyId);
    await settle();
    return toPolicyResponse(saved.row, doc);
  }

  /** A new version of `policyId` (the first one when it does not exist); `created` says which. */
  async put(actor: Actor, policyId: string, doc: unknown): Promise<{ body: PolicyResponse; created: boolean }> {
    requireWriter(actor);
    if (!isPolicyId(policyId)) throw PolicyStoreError.invalid(`Invalid 'policy_id' in the URL: ${ID_RULE}`, 'policy_id');
    const p = this.prepare(doc, policyId);
    const saved = await this.repo.save({ orgId: actor.orgId, createdBy: actor.userId, ...p }, 'upsert');
    if (!saved) throw new Error('upsert saved nothing');
    await settle();
    return { body: toPolicyResponse(saved.row, doc), created: saved.created };
  }

  async get(actor: Actor, policyId: string): Promise<PolicyResponse> {
    requireReader(actor);
    const row = isPolicyId(policyId) ? await this.repo.findLatest(actor.orgId, policyId) : null;
    if (!row) throw PolicyStoreError.notFound(policyId);
    return toPolicyResponse(row, row.document);
  }

  async list(actor: Actor, query: unknown): Promise<Page<PolicyResponse>> {
    requireReader(actor);
    const { limit, after } = parsePageQuery(query, 'policy');
    const rows = await this.repo.list(actor.orgId, after, limit + 1);
    return page(rows, limit, (r: StoredPolicyRow) => toPolicyResponse(r), (r) => encodeCursor('policy', r.policyId));
  }

  async delete(actor: Actor, policyId: string): Promise<void> {
    requireWriter(actor);
    if (!isPolicyId(policyId) || !(await this.repo.delete(actor.orgId, policyId))) throw PolicyStoreError.notFound(policyId);
    await settle();
  }

  /** Newest first. A deleted policy's versions stay readable: they are the audit trail of what was enforced. */
  async versions(actor: Actor, policyId: string, query: unknown): Promise<Page<PolicyVersionResponse>> {
    requireReader(actor);
    const { limit, after } = parsePageQuery(query, 'version');
    if (!isPolicyId(policyId) || (await this.repo.state(actor.orgId, policyId)) === null) throw PolicyStoreError.notFound(policyId);
    const rows = await this.repo.versions(actor.orgId, policyId, after, limit + 1);
    return page(rows, limit, (r: PolicyVersionRow) => toVersionResponse(r), (r) => encodeCursor('version', r.version));
  }

  async version(actor: Actor, policyId: string, version: string): Promise<PolicyVersionResponse> {
    requireReader(actor);
    if (!isPolicyId(policyId)) throw PolicyStoreError.notFound(policyId);
    const n = VERSION.test(version) ? Number(version) : NaN;
    if (!(n <= 2 ** 31 - 1)) throw PolicyStoreError.invalid("Invalid 'version': expected a positive integer", 'version');
    const row = await this.repo.findVersion(actor.orgId, policyId, n);
    if (row) return toVersionResponse(row);
    if ((await this.repo.state(actor.orgId, policyId)) === null) throw PolicyStoreError.notFound(policyId);
    throw PolicyStoreError.versionNotFound(policyId, n);
  }

  /** Validates the document (every issue at once, the id's included) exactly as the inference side will compile it. */
  private prepare(doc: unknown, urlId: string | null): Prepared {
    const { id, issues } = idOf(doc, urlId);
    const json = JSON.stringify(doc) ?? '';
    let model;
    try {
      model = compilePolicy(doc, { sizeBytes: Buffer.byteLength(json) }).model;
    } catch (err) {
      if (err instanceof PolicyValidationError) throw new PolicyValidationError([...err.issues, ...issues.filter((i) => !err.issues.some((e) => e.path === i.path))]);
      throw err;
    }
    if (issues.length > 0) throw new PolicyValidationError(issues);
    if (id === null) throw new PolicyValidationError([{ path: '/policy_id', message: 'required when the document has no name (Gen-1: policy_id; Gen-2: name or policy_id)' }]);
    return { policyId: id, json, generation: model.generation, name: model.name };
  }
}

const settle = () => new Promise((r) => setTimeout(r, REVOCATION_PROPAGATION_MS));
