import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeTombstone, writeVersion, type NewPolicyVersion, type Raw, type SaveMode, type WriteOptions } from './policy-version.writer';

export type { IfMatch, NewPolicyVersion, SaveMode, WriteOptions } from './policy-version.writer';

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

/** The org's Gen-1 config pointer; `latest` null when the policy it names was deleted since. */
export interface ConfigRow {
  policyId: string;
  createdAt: Date;
  updatedAt: Date;
  latest: (StoredPolicyRow & { document: unknown }) | null;
}

export interface SavedConfig {
  row: StoredPolicyRow;
  created: boolean;
  configCreatedAt: Date;
  configUpdatedAt: Date;
}

const savedRow = ({ head, version }: { head: Raw; version: Raw }): StoredPolicyRow =>
  toPolicy({ ...version, created_at: head.created_at, updated_at: head.updated_at, created_by: head.created_by, updated_by: version.created_by });

const UPSERT_CONFIG = `INSERT INTO policy_gateway_config (org_id, policy_id) VALUES ($1, $2)
  ON CONFLICT (org_id) DO UPDATE SET policy_id = EXCLUDED.policy_id, updated_at = now() RETURNING created_at, updated_at`;

const HEAD_COLUMNS = `p.policy_id, p.latest_version AS version, v.generation, p.name, v.size_bytes, p.created_at, p.updated_at, p.created_by, v.created_by AS updated_by`;
const VERSION_COLUMNS = `policy_id, version, generation, name, size_bytes, created_at, created_by`;

/**
 * Owns the SQL of `policy`, `policy_version` and `policy_gateway_config`. Every change appends its revision entry
 * (`policy_history`) and NOTIFYs `policy:<org>:<id>` inside its transaction: Postgres delivers the notification at
 * commit, and only if it commits, so replicas' caches drop their copy, and no change goes unrecorded.
 */
@Injectable()
export class PolicyRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * A new version (the first one, or the next) with its revision entry, in one transaction; null when `mode` is
   * `create` and a live policy has the id. A 412 {@link PolicyStoreError} when `opts.ifMatch` does not match.
   */
  async save(input: NewPolicyVersion, mode: SaveMode, opts: WriteOptions = {}): Promise<{ row: StoredPolicyRow; created: boolean } | null> {
    return this.ds.transaction(async (m) => {
      const saved = await writeVersion(m, input, mode, opts);
      return saved && { row: savedRow(saved), created: saved.created };
    });
  }

  /** Tombstones a live policy (its versions stay) and records who did; false when there is none. */
  async delete(orgId: string, policyId: string, opts: Omit<WriteOptions, 'editType'> = {}): Promise<boolean> {
    return this.ds.transaction((m) => writeTombstone(m, orgId, policyId, opts));
  }

  /**
   * The organisation's Gen-1 `config`: a new version of `input.policyId` (revision `config_save`), and the org's
   * pointer moved to it, in one transaction. `configCreatedAt` is the org's first config save.
   */
  async saveConfig(input: NewPolicyVersion, opts: Omit<WriteOptions, 'editType'> = {}): Promise<SavedConfig> {
    return this.ds.transaction(async (m) => {
      const saved = await writeVersion(m, input, 'upsert', { ...opts, editType: 'config_save' });
      if (!saved) throw new Error('upsert saved nothing');
      const [c] = await m.query<Raw[]>(UPSERT_CONFIG, [input.orgId, input.policyId]);
      return { row: savedRow(saved), created: saved.created, configCreatedAt: c.created_at as Date, configUpdatedAt: c.updated_at as Date };
    });
  }

  /** The org's Gen-1 config: the policy it points at, live, with its latest document; null when none is saved. */
  async findConfig(orgId: string): Promise<ConfigRow | null> {
    const [r] = await this.ds.query<Raw[]>(
      `SELECT c.policy_id AS config_policy_id, c.created_at AS config_created_at, GREATEST(c.updated_at, p.updated_at) AS config_updated_at,
              p.deleted_at, ${HEAD_COLUMNS}, v.document
         FROM policy_gateway_config c
         LEFT JOIN policy p ON p.org_id = c.org_id AND p.policy_id = c.policy_id
         LEFT JOIN policy_version v ON v.org_id = p.org_id AND v.policy_id = p.policy_id AND v.version = p.latest_version
        WHERE c.org_id = $1`,
      [orgId],
    );
    if (!r) return null;
    const live = r.policy_id !== null && r.deleted_at === null;
    return {
      policyId: r.config_policy_id as string,
      createdAt: r.config_created_at as Date,
      updatedAt: (r.config_updated_at ?? r.config_created_at) as Date,
      latest: live ? { ...toPolicy(r), document: r.document } : null,
    };
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
