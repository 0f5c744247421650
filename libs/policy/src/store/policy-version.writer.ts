import { API_KEY_CHANNEL, policyChangePayload } from '@gw/identity';
import type { EntityManager } from 'typeorm';
import { appendPolicyRevision, type HistoryActor, type PolicyRevision } from './policy-history';
import { PolicyStoreError } from './policy-store.errors';

export type Raw = Record<string, unknown>;

export interface NewPolicyVersion {
  orgId: string;
  policyId: string;
  /** The document as JSON text, stored as jsonb (its byte length is `size_bytes`). */
  json: string;
  generation: 1 | 2;
  name: string | null;
  createdBy: string | null;
}

/** `create`: only when absent or deleted; `upsert`: always (a new version, or the first). */
export type SaveMode = 'create' | 'upsert';

/** `If-Match`: the versions the caller accepts as the current one, or `*` (any live version). */
export type IfMatch = readonly number[] | '*';

/** What a write records in the revision history beside the change, and the precondition it must meet. */
export interface WriteOptions {
  /** Who made the change; by default the version's `createdBy` user (`system` when that is null). */
  actor?: HistoryActor;
  /** `policy_create` / `policy_update` are inferred; a restore and a Gen-1 config save say so. */
  editType?: 'policy_restore' | 'config_save';
  details?: Record<string, unknown>;
  /** Checked under the policy's row lock, so of two writers holding the same ETag exactly one wins. */
  ifMatch?: IfMatch;
}

/** TypeORM answers UPDATE and DELETE with `[rows, rowCount]` (other statements with the rows): the rows of either. */
export async function updateRows(m: EntityManager, sql: string, params: unknown[]): Promise<Raw[]> {
  const result = await m.query<unknown>(sql, params);
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Raw[];
}

const LOCK_HEAD = `SELECT latest_version, deleted_at FROM policy WHERE org_id = $1 AND policy_id = $2 FOR UPDATE`;
const INSERT_HEAD = `INSERT INTO policy (org_id, policy_id, name, latest_version, created_by) VALUES ($1, $2, $3, 1, $4)
  ON CONFLICT (org_id, policy_id) DO NOTHING RETURNING latest_version AS version, created_at, updated_at, created_by`;
/** The next version; a deleted head is revived in place (same row, numbering continues, created_* restart). */
const BUMP_HEAD = `UPDATE policy
     SET latest_version = latest_version + 1, name = $3, updated_at = now(),
         created_at = CASE WHEN deleted_at IS NULL THEN created_at ELSE now() END,
         created_by = CASE WHEN deleted_at IS NULL THEN created_by ELSE $4 END,
         deleted_at = NULL
   WHERE org_id = $1 AND policy_id = $2
  RETURNING latest_version AS version, created_at, updated_at, created_by`;
const INSERT_VERSION = `INSERT INTO policy_version (org_id, policy_id, version, document, generation, name, size_bytes, created_by)
  VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING policy_id, version, generation, name, size_bytes, created_at, created_by`;

/** 412 unless the locked head is live at a version `ifMatch` accepts (no check without `ifMatch`). */
function checkIfMatch(policyId: string, head: Raw | undefined, ifMatch: IfMatch | undefined): void {
  if (ifMatch === undefined) return;
  const live = head && head.deleted_at === null ? (head.latest_version as number) : null;
  if (live !== null && (ifMatch === '*' || ifMatch.includes(live))) return;
  throw PolicyStoreError.preconditionFailed(policyId, live);
}

/**
 * Takes the policy's head row for this transaction: locks it, or inserts it (version 1). Writers of one policy
 * queue on that row lock, so concurrent saves get distinct consecutive versions, and an If-Match compared under it
 * sees the version the save will follow. When a concurrent writer inserts the row first, ON CONFLICT DO NOTHING
 * waits for its commit, and the second lock finds the row.
 */
async function takeHead(m: EntityManager, input: NewPolicyVersion, mode: SaveMode, ifMatch: IfMatch | undefined): Promise<{ head: Raw; created: boolean } | null> {
  const args = [input.orgId, input.policyId, input.name, input.createdBy];
  let [prior] = await m.query<Raw[]>(LOCK_HEAD, args.slice(0, 2));
  if (!prior) {
    checkIfMatch(input.policyId, undefined, ifMatch);
    const [inserted] = await m.query<Raw[]>(INSERT_HEAD, args);
    if (inserted) return { head: inserted, created: true };
    [prior] = await m.query<Raw[]>(LOCK_HEAD, args.slice(0, 2));
    if (!prior) throw new Error('policy head vanished under its lock');
  }
  checkIfMatch(input.policyId, prior, ifMatch);
  const deleted = prior.deleted_at !== null;
  if (mode === 'create' && !deleted) return null;
  const [head] = await updateRows(m, BUMP_HEAD, args);
  return { head, created: deleted };
}

const actorOf = (createdBy: string | null, opts: WriteOptions): HistoryActor => opts.actor ?? (createdBy ? { kind: 'user', id: createdBy } : { kind: 'system', id: null });

/**
 * Inside the caller's transaction: a new version, its revision entry (`before` = the previous version, none when
 * this creates or revives the policy) and the NOTIFY. Null when `mode` is `create` and a live policy has the id.
 */
export async function writeVersion(m: EntityManager, input: NewPolicyVersion, mode: SaveMode, opts: WriteOptions): Promise<{ head: Raw; version: Raw; created: boolean } | null> {
  const taken = await takeHead(m, input, mode, opts.ifMatch);
  if (!taken) return null;
  const { head, created } = taken;
  const n = head.version as number;
  const [version] = await m.query<Raw[]>(INSERT_VERSION, [input.orgId, input.policyId, n, input.json, input.generation, input.name, Buffer.byteLength(input.json), input.createdBy]);
  const editType: PolicyRevision['editType'] = opts.editType ?? (created ? 'policy_create' : 'policy_update');
  await appendPolicyRevision(m, { orgId: input.orgId, policyId: input.policyId, editType, policyVersion: n, beforeVersion: created ? null : n - 1, afterVersion: n, actor: actorOf(input.createdBy, opts), details: opts.details });
  await announce(m, input.orgId, input.policyId);
  return { head, version, created };
}

/** Inside the caller's transaction: tombstones a live policy and records it; false when there is none. */
export async function writeTombstone(m: EntityManager, orgId: string, policyId: string, opts: Omit<WriteOptions, 'editType'>): Promise<boolean> {
  const [prior] = await m.query<Raw[]>(LOCK_HEAD, [orgId, policyId]);
  if (!prior || prior.deleted_at !== null) return false;
  checkIfMatch(policyId, prior, opts.ifMatch);
  await m.query(`UPDATE policy SET deleted_at = now(), updated_at = now() WHERE org_id = $1 AND policy_id = $2`, [orgId, policyId]);
  const last = prior.latest_version as number;
  await appendPolicyRevision(m, { orgId, policyId, editType: 'policy_delete', policyVersion: last, beforeVersion: last, afterVersion: null, actor: actorOf(null, opts), details: opts.details });
  await announce(m, orgId, policyId);
  return true;
}

/** `policy:<org>:<id>`: Postgres delivers it at commit, and only if the transaction commits. */
async function announce(m: EntityManager, orgId: string, policyId: string): Promise<void> {
  await m.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [policyChangePayload(orgId, policyId)]);
}
