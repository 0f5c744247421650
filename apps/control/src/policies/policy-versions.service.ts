import { Injectable } from '@nestjs/common';
import type { Actor } from '@gw/identity';
import { isPolicyId, PolicyRepository, PolicyStoreError, type PolicyVersionRow } from '@gw/policy';
import { compare, type Operation } from 'fast-json-patch';
import { parseIfMatch } from './etag';
import { encodeCursor, page, parsePageQuery } from './page-query';
import { settle } from './policies.service';
import { historyActor, preparePolicy, requireReader, requireWriter } from './policy-document';
import { toPolicyResponse, toVersionResponse, type Page, type PolicyResponse, type PolicyVersionResponse } from './policy.mapper';

const VERSION = /^[1-9][0-9]{0,9}$/;
const MAX_VERSION = 2 ** 31 - 1;

export interface PolicyDiff {
  policy_id: string;
  from: number;
  to: number;
  /** RFC 6902 operations turning version `from`'s document into version `to`'s. */
  patch: Operation[];
}

const invalid = (message: string, param: string) => PolicyStoreError.invalid(message, param);

/** A version number from a path or query string; null when it is not one. */
function versionOf(raw: unknown): number | null {
  return typeof raw === 'string' && VERSION.test(raw) && Number(raw) <= MAX_VERSION ? Number(raw) : null;
}

/** `{version}` of a restore: a JSON positive integer (not a string), and nothing else. */
function restoreVersion(body: unknown): number {
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (!b) throw invalid('The body must be a JSON object: {"version": <the version to restore>}', 'version');
  const extra = Object.keys(b).find((k) => k !== 'version');
  if (extra !== undefined) throw invalid(`Unknown field '${extra.slice(0, 64)}' (the body is {"version": n})`, extra.slice(0, 64));
  const v = b.version;
  if (v === undefined) throw invalid("Missing 'version': the version to restore", 'version');
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_VERSION) throw invalid("Invalid 'version': expected a positive integer", 'version');
  return v;
}

/**
 * A policy's immutable versions: list and read them, diff two, and restore one as a new version (revision entry
 * `policy_restore` with `details.from_version`). A deleted policy's versions stay readable (they are the audit trail
 * of what was enforced), and restoring one of them re-creates the policy.
 */
@Injectable()
export class PolicyVersionsService {
  constructor(private readonly repo: PolicyRepository) {}

  async versions(actor: Actor, policyId: string, query: unknown): Promise<Page<PolicyVersionResponse>> {
    requireReader(actor);
    const { limit, after } = parsePageQuery(query, 'version');
    await this.requireKnown(actor, policyId);
    const rows = await this.repo.versions(actor.orgId, policyId, after, limit + 1);
    return page(rows, limit, (r: PolicyVersionRow) => toVersionResponse(r), (r) => encodeCursor('version', r.version));
  }

  async version(actor: Actor, policyId: string, version: string): Promise<PolicyVersionResponse> {
    requireReader(actor);
    if (!isPolicyId(policyId)) throw PolicyStoreError.notFound(policyId);
    const n = versionOf(version);
    if (n === null) throw invalid("Invalid 'version': expected a positive integer", 'version');
    return toVersionResponse(await this.find(actor, policyId, n));
  }

  /** A new version whose document is version N's, validated again (the engine may have grown stricter since). */
  async restore(actor: Actor, policyId: string, body: unknown, ifMatch?: string): Promise<{ body: PolicyResponse; created: boolean }> {
    requireWriter(actor);
    const precondition = parseIfMatch(ifMatch);
    const n = restoreVersion(body);
    const source = await this.find(actor, policyId, n);
    const p = preparePolicy(source.document, policyId);
    const saved = await this.repo.save({ orgId: actor.orgId, createdBy: actor.userId, ...p }, 'upsert', {
      actor: historyActor(actor),
      editType: 'policy_restore',
      details: { from_version: n },
      ifMatch: precondition,
    });
    if (!saved) throw new Error('upsert saved nothing');
    await settle();
    return { body: toPolicyResponse(saved.row, source.document), created: saved.created };
  }

  async diff(actor: Actor, policyId: string, query: unknown): Promise<PolicyDiff> {
    requireReader(actor);
    const q = (query ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(q).find((k) => k !== 'from' && k !== 'to');
    if (unknown !== undefined) throw invalid(`Unknown query parameter: '${unknown.slice(0, 64)}' (expected 'from' and 'to')`, unknown.slice(0, 64));
    const [from, to] = (['from', 'to'] as const).map((k) => {
      if (q[k] === undefined) throw invalid(`Missing '${k}': a version number`, k);
      const n = versionOf(q[k]);
      if (n === null) throw invalid(`Invalid '${k}': expected a positive integer version${Array.isArray(q[k]) ? ', given once' : ''}`, k);
      return n;
    });
    const [a, b] = [await this.find(actor, policyId, from), await this.find(actor, policyId, to)];
    return { policy_id: policyId, from, to, patch: compare(a.document as object, b.document as object) };
  }

  private async requireKnown(actor: Actor, policyId: string): Promise<void> {
    if (!isPolicyId(policyId) || (await this.repo.state(actor.orgId, policyId)) === null) throw PolicyStoreError.notFound(policyId);
  }

  /** Version `n` with its document; 404 `policy_not_found` or `policy_version_not_found`. */
  private async find(actor: Actor, policyId: string, n: number): Promise<PolicyVersionRow & { document: unknown }> {
    if (!isPolicyId(policyId)) throw PolicyStoreError.notFound(policyId);
    const row = await this.repo.findVersion(actor.orgId, policyId, n);
    if (row) return { ...row, document: row.document };
    await this.requireKnown(actor, policyId);
    throw PolicyStoreError.versionNotFound(policyId, n);
  }
}
