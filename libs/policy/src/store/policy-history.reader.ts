import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { compareDesc, historyWhere, type HistoryPosition, type HistorySource } from './policy-history.sql';

export { compareDesc, type HistoryPosition, type HistorySource } from './policy-history.sql';

/** Which entries a page may hold (all optional but the organisation); `from` inclusive, `to` exclusive. */
export interface HistoryFilter {
  orgId: string;
  type?: HistorySource;
  policyId?: string;
  projectId?: string;
  decision?: string;
  from?: Date;
  to?: Date;
}

interface RowBase {
  id: string;
  createdAt: Date;
  /** The exact (microsecond) position of the row, for the next page's cursor. */
  position: HistoryPosition;
  policyId: string | null;
  policyVersion: number | null;
  projectId: string | null;
  /** Looked up: the project's name, and the policy version's name and data classification. */
  projectLabel: string | null;
}

export interface RevisionRow extends RowBase {
  source: 'revision';
  editType: string;
  actor: { kind: string; id: string | null };
  before: unknown;
  after: unknown;
  details: unknown;
}

export interface EnforcementRow extends RowBase {
  source: 'enforcement';
  model: string;
  /** `attributes.policy` of the audit event, as recorded. */
  policy: Record<string, unknown>;
  policyName: string | null;
  dataClassification: string | null;
}

export type HistoryRow = RevisionRow | EnforcementRow;

type Raw = Record<string, unknown>;
/** The position as text with microseconds: a JS Date would round it to milliseconds and make pages overlap. */
const AT = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`;
/**
 * Reads the merged history of an organisation: revision entries (`policy_history`) and enforcement entries
 * (`audit_event` rows of policy requests of the organisation). Each source is read newest first
 * from its own time index, `limit` rows past the cursor, and the two are merged; documents and names are loaded
 * afterwards for the rows of the page only.
 */
@Injectable()
export class PolicyHistoryReader {
  constructor(private readonly ds: DataSource) {}

  /** Up to `limit` rows after `after` (exclusive) in {@link compareDesc} order. */
  async page(filter: HistoryFilter, after: HistoryPosition | null, limit: number): Promise<HistoryRow[]> {
    const [revisions, enforcements] = await Promise.all([
      filter.type === 'enforcement' || filter.decision !== undefined ? [] : this.revisions(filter, after, limit),
      filter.type === 'revision' ? [] : this.enforcements(filter, after, limit),
    ]);
    const rows = [...revisions, ...enforcements].sort((a, b) => compareDesc(a.position, b.position)).slice(0, limit);
    await this.complete(filter.orgId, rows);
    return rows;
  }

  private async revisions(f: HistoryFilter, after: HistoryPosition | null, limit: number): Promise<RevisionRow[]> {
    const w = historyWhere('revision', f, after);
    const rows = await this.ds.query<Raw[]>(
      `SELECT id, created_at, ${AT('created_at')}, edit_type, policy_id, policy_version, project_id, actor_kind, actor_id
         FROM policy_history WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT $${w.params.length + 1}`,
      [...w.params, limit],
    );
    return rows.map((r) => ({
      source: 'revision',
      ...base(r, 'revision'),
      policyId: r.policy_id as string | null,
      policyVersion: r.policy_version as number | null,
      projectId: r.project_id as string | null,
      editType: r.edit_type as string,
      actor: { kind: r.actor_kind as string, id: r.actor_id as string | null },
      before: null,
      after: null,
      details: null,
    }));
  }

  private async enforcements(f: HistoryFilter, after: HistoryPosition | null, limit: number): Promise<EnforcementRow[]> {
    const w = historyWhere('enforcement', f, after);
    const rows = await this.ds.query<Raw[]>(
      `SELECT seq::text AS id, started_at AS created_at, ${AT('started_at')}, model, attributes->'policy' AS policy
         FROM audit_event WHERE ${w.sql} ORDER BY started_at DESC, seq DESC LIMIT $${w.params.length + 1}`,
      [...w.params, limit],
    );
    return rows.map((r) => {
      const policy = (r.policy ?? {}) as Record<string, unknown>;
      const str = (k: string): string | null => {
        const v = policy[k];
        return typeof v === 'string' ? v : null;
      };
      const version = policy.policy_version;
      return {
        source: 'enforcement',
        ...base(r, 'enforcement'),
        policyId: str('policy_id'),
        policyVersion: Number.isSafeInteger(version) ? (version as number) : null,
        projectId: str('project_id'),
        projectLabel: str('project_label'),
        model: r.model as string,
        policy,
        policyName: null,
        dataClassification: null,
      };
    });
  }

  /** Documents of the page's revisions; names and classifications of the versions enforced; project names. */
  private async complete(orgId: string, rows: HistoryRow[]): Promise<void> {
    const revisions = rows.filter((r): r is RevisionRow => r.source === 'revision');
    const enforced = rows.filter((r): r is EnforcementRow => r.source === 'enforcement' && r.policyId !== null && r.policyVersion !== null);
    const projects = [...new Set(rows.filter((r) => r.projectLabel === null && r.projectId !== null).map((r) => r.projectId!))];
    const [docs, versions, names] = await Promise.all([
      revisions.length === 0 ? [] : this.ds.query<Raw[]>(`SELECT id, before, after, details FROM policy_history WHERE id = ANY($1::bigint[])`, [revisions.map((r) => r.id)]),
      enforced.length === 0
        ? []
        : this.ds.query<Raw[]>(
            `SELECT v.policy_id, v.version, v.name, COALESCE(v.document #>> '{org_controls,data_classification}', v.document ->> 'classification') AS classification
               FROM policy_version v JOIN unnest($2::text[], $3::int[]) AS k(policy_id, version) ON v.policy_id = k.policy_id AND v.version = k.version
              WHERE v.org_id = $1`,
            [orgId, enforced.map((r) => r.policyId), enforced.map((r) => r.policyVersion)],
          ),
      projects.length === 0 ? [] : this.ds.query<Raw[]>(`SELECT project_id, name FROM project WHERE org_id = $1 AND project_id = ANY($2::text[])`, [orgId, projects]),
    ]);
    const doc = new Map(docs.map((d) => [String(d.id), d]));
    for (const r of revisions) Object.assign(r, { before: doc.get(r.id)?.before ?? null, after: doc.get(r.id)?.after ?? null, details: doc.get(r.id)?.details ?? null });
    const version = new Map(versions.map((v) => [`${String(v.policy_id)}@${String(v.version)}`, v]));
    for (const r of enforced) {
      const v = version.get(`${r.policyId}@${r.policyVersion}`);
      r.policyName = (v?.name as string | null | undefined) ?? null;
      r.dataClassification = (v?.classification as string | null | undefined) ?? null;
    }
    const label = new Map(names.map((p) => [p.project_id as string, p.name as string]));
    for (const r of rows) if (r.projectLabel === null && r.projectId !== null) r.projectLabel = label.get(r.projectId) ?? null;
  }
}

function base(r: Raw, source: HistorySource): Omit<RowBase, 'policyId' | 'policyVersion' | 'projectId'> {
  const id = String(r.id);
  return { id, createdAt: r.created_at as Date, position: { at: r.at as string, source, id }, projectLabel: null };
}
