import { Injectable } from '@nestjs/common';
import { API_KEY_CHANNEL, policyChangePayload } from '@gw/identity';
import { DataSource, type EntityManager } from 'typeorm';

/** A policy's head row joined with its latest version (what `GET /policies/{id}` shows). */
export interface StoredPolicyRow {
  policyId: string;
  version: number;
  generation: 1 | 2;
  name: string | null;
  sizeBytes: number;
  createdAt: Date;
  updatedAt: Date;
  /** Who created the policy (or re-created it after a delete), and who saved its latest version. */
  createdBy: string | null;
  updatedBy: string | null;
}

/** One immutable version (`document` only when asked for). */
export interface PolicyVersionRow {
  policyId: string;
  version: number;
  generation: 1 | 2;
  name: string | null;
  sizeBytes: number;
  createdAt: Date;
  createdBy: string | null;
  document?: unknown;
}

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

type Raw = Record<string, unknown>;
const toVersion = (r: Raw): PolicyVersionRow => ({
  policyId: r.policy_id as string,
  version: r.version as number,
  generation: r.generation as 1 | 2,
  name: r.name as string | null,
  sizeBytes: r.size_bytes as number,
  createdAt: r.created_at as Date,
  createdBy: r.created_by as string | null,
  ...('document' in r ? { document: r.document } : {}),
});
const toPolicy = (r: Raw): StoredPolicyRow => ({ ...toVersion(r), updatedAt: r.updated_at as Date, updatedBy: r.updated_by as string | null });

const HEAD_COLUMNS = `p.policy_id, p.latest_version AS version, v.generation, p.name, v.size_bytes, p.created_at, p.updated_at, p.created_by, v.created_by AS updated_by`;
const VERSION_COLUMNS = `policy_id, version, generation, name, size_bytes, created_at, created_by`;

/** TypeORM answers UPDATE and DELETE with `[rows, rowCount]` (other statements with the rows): the rows of either. */
async function updateRows(m: EntityManager, sql: string, params: unknown[]): Promise<Raw[]> {
  const result = await m.query<unknown>(sql, params);
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Raw[];
}

const LOCK_HEAD = `SELECT deleted_at FROM policy WHERE org_id = $1 AND policy_id = $2 FOR UPDATE`;
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

/**
 * Takes the policy's head row for this transaction: locks it, or inserts it (version 1). Writers of one policy
 * queue on that row lock, so concurrent saves get distinct consecutive versions. When a concurrent writer inserts
 * the row first, ON CONFLICT DO NOTHING waits for its commit, and the second lock finds the row.
 */
async function takeHead(m: EntityManager, input: NewPolicyVersion, mode: SaveMode): Promise<{ head: Raw; created: boolean } | null> {
  const args = [input.orgId, input.policyId, input.name, input.createdBy];
  let [prior] = await m.query<Raw[]>(LOCK_HEAD, args.slice(0, 2));
  if (!prior) {
    const [inserted] = await m.query<Raw[]>(INSERT_HEAD, args);
    if (inserted) return { head: inserted, created: true };
    [prior] = await m.query<Raw[]>(LOCK_HEAD, args.slice(0, 2));
    if (!prior) throw new Error('policy head vanished under its lock');
  }
  const deleted = prior.deleted_at !== null;
  if (mode === 'create' && !deleted) return null;
  const [head] = await updateRows(m, BUMP_HEAD, args);
  return { head, created: deleted };
}

/**
 * Owns the SQL of `policy` and `policy_version`. Every change NOTIFYs `policy:<org>:<id>` inside its
 * transaction: Postgres delivers it at commit, and only if it commits, so replicas' caches drop their copy.
 */
@Injectable()
export class PolicyRepository {
  constructor(private readonly ds: DataSource) {}

  /** A new version (the first one, or the next); null when `mode` is `create` and a live policy has the id. */
  async save(input: NewPolicyVersion, mode: SaveMode): Promise<{ row: StoredPolicyRow; created: boolean } | null> {
    return this.ds.transaction(async (m) => {
      const taken = await takeHead(m, input, mode);
      if (!taken) return null;
      const { head, created } = taken;
      const [v] = await m.query<Raw[]>(
        `INSERT INTO policy_version (org_id, policy_id, version, document, generation, name, size_bytes, created_by)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) RETURNING ${VERSION_COLUMNS}`,
        [input.orgId, input.policyId, head.version, input.json, input.generation, input.name, Buffer.byteLength(input.json), input.createdBy],
      );
      await announce(m, input.orgId, input.policyId);
      const row: StoredPolicyRow = { ...toPolicy({ ...v, created_at: head.created_at, updated_at: head.updated_at, created_by: head.created_by, updated_by: v.created_by }) };
      return { row, created };
    });
  }

  /** Tombstones a live policy (its versions stay); false when there is none. */
  async delete(orgId: string, policyId: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const rows = await updateRows(m, `UPDATE policy SET deleted_at = now(), updated_at = now() WHERE org_id = $1 AND policy_id = $2 AND deleted_at IS NULL RETURNING policy_id`, [orgId, policyId]);
      if (rows.length === 0) return false;
      await announce(m, orgId, policyId);
      return true;
    });
  }

  /** A live policy and its latest version's document. */
  async findLatest(orgId: string, policyId: string): Promise<(StoredPolicyRow & { document: unknown }) | null> {
    const [r] = await this.ds.query<Raw[]>(
      `SELECT ${HEAD_COLUMNS}, v.document FROM policy p JOIN policy_version v ON v.org_id = p.org_id AND v.policy_id = p.policy_id AND v.version = p.latest_version
        WHERE p.org_id = $1 AND p.policy_id = $2 AND p.deleted_at IS NULL`,
      [orgId, policyId],
    );
    return r ? { ...toPolicy(r), document: r.document } : null;
  }

  /** The latest version number of a live policy (null: none): the cheap check before a compiled copy is reused. */
  async latestVersion(orgId: string, policyId: string): Promise<number | null> {
    const [r] = await this.ds.query<Raw[]>(`SELECT latest_version FROM policy WHERE org_id = $1 AND policy_id = $2 AND deleted_at IS NULL`, [orgId, policyId]);
    return r ? (r.latest_version as number) : null;
  }

  /** Live policies after `afterId` in id order (keyset pagination), `limit` of them. */
  async list(orgId: string, afterId: string | null, limit: number): Promise<StoredPolicyRow[]> {
    const rows = await this.ds.query<Raw[]>(
      `SELECT ${HEAD_COLUMNS} FROM policy p JOIN policy_version v ON v.org_id = p.org_id AND v.policy_id = p.policy_id AND v.version = p.latest_version
        WHERE p.org_id = $1 AND p.deleted_at IS NULL AND ($2::text IS NULL OR p.policy_id > $2) ORDER BY p.policy_id LIMIT $3`,
      [orgId, afterId, limit],
    );
    return rows.map(toPolicy);
  }

  /**
   * Whether the policy exists for `versions` reads: `live`, `deleted` (a tombstone: its versions stay readable
   * for audit), or null (never existed in this organisation).
   */
  async state(orgId: string, policyId: string): Promise<'live' | 'deleted' | null> {
    const [r] = await this.ds.query<Raw[]>(`SELECT deleted_at FROM policy WHERE org_id = $1 AND policy_id = $2`, [orgId, policyId]);
    return r ? (r.deleted_at === null ? 'live' : 'deleted') : null;
  }

  /** Versions newest first, below `beforeVersion` (keyset pagination). */
  async versions(orgId: string, policyId: string, beforeVersion: number | null, limit: number): Promise<PolicyVersionRow[]> {
    const rows = await this.ds.query<Raw[]>(
      `SELECT ${VERSION_COLUMNS} FROM policy_version WHERE org_id = $1 AND policy_id = $2 AND ($3::int IS NULL OR version < $3) ORDER BY version DESC LIMIT $4`,
      [orgId, policyId, beforeVersion, limit],
    );
    return rows.map(toVersion);
  }

  /** One version with its document (a deleted policy's too: they are its audit trail). */
  async findVersion(orgId: string, policyId: string, version: number): Promise<PolicyVersionRow | null> {
    const [r] = await this.ds.query<Raw[]>(`SELECT ${VERSION_COLUMNS}, document FROM policy_version WHERE org_id = $1 AND policy_id = $2 AND version = $3`, [orgId, policyId, version]);
    return r ? toVersion(r) : null;
  }
}

async function announce(m: EntityManager, orgId: string, policyId: string): Promise<void> {
  await m.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [policyChangePayload(orgId, policyId)]);
}
