import { Injectable } from '@nestjs/common';
import { REVOCATION_PROPAGATION_MS, type Actor } from '@gw/identity';
import { isPolicyId, PolicyRepository, PolicyStoreError, type StoredPolicyRow } from '@gw/policy';
import { parseIfMatch } from './etag';
import { encodeCursor, page, parsePageQuery } from './page-query';
import { historyActor, ID_RULE, preparePolicy, requireReader, requireWriter } from './policy-document';
import { toPolicyResponse, type Page, type PolicyResponse } from './policy.mapper';

/**
 * Stored policies of the caller's organisation (issue 9 item 8). Owners and admins write, auditors read,
 * members get a 403 whatever the id (so a 403 says nothing about existence); every lookup is scoped to the
 * actor's organisation, so another organisation's policy is a 404. Every write records a revision history entry
 * with its actor in the same transaction, and honours `If-Match` (412 on a stale version). A write returns once
 * replicas had the propagation window to drop their cached copy (like key revocation).
 */
@Injectable()
export class PoliciesService {
  constructor(private readonly repo: PolicyRepository) {}

  async create(actor: Actor, doc: unknown): Promise<PolicyResponse> {
    requireWriter(actor);
    const p = preparePolicy(doc, null);
    const saved = await this.repo.save({ orgId: actor.orgId, createdBy: actor.userId, ...p }, 'create', { actor: historyActor(actor) });
    if (!saved) throw PolicyStoreError.exists(p.policyId);
    await settle();
    return toPolicyResponse(saved.row, doc);
  }

  /** A new version of `policyId` (the first one when it does not exist); `created` says which. */
  async put(actor: Actor, policyId: string, doc: unknown, ifMatch?: string): Promise<{ body: PolicyResponse; created: boolean }> {
    requireWriter(actor);
    if (!isPolicyId(policyId)) throw PolicyStoreError.invalid(`Invalid 'policy_id' in the URL: ${ID_RULE}`, 'policy_id');
    const p = preparePolicy(doc, policyId);
    const saved = await this.repo.save({ orgId: actor.orgId, createdBy: actor.userId, ...p }, 'upsert', { actor: historyActor(actor), ifMatch: parseIfMatch(ifMatch) });
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

  async delete(actor: Actor, policyId: string, ifMatch?: string): Promise<void> {
    requireWriter(actor);
    const precondition = parseIfMatch(ifMatch);
    if (!isPolicyId(policyId) || !(await this.repo.delete(actor.orgId, policyId, { actor: historyActor(actor), ifMatch: precondition }))) throw PolicyStoreError.notFound(policyId);
    await settle();
  }
}

export const settle = () => new Promise((r) => setTimeout(r, REVOCATION_PROPAGATION_MS));
