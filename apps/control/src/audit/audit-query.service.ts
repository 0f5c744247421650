import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  AuditQueryError,
  AuditReader,
  csvHeader,
  csvRow,
  eventFromRow,
  EVENT_SELECT,
  eventsPageSql,
  eventsWhere,
  parseAuditQuery,
  publicKeyBase64,
  shapeStats,
  statsSql,
  toPage,
  type AuditEventRow,
  type AuditQuery,
  type AuditStats,
  type ChainedAuditEvent,
} from '@gw/audit';
import { IdentityError } from '@gw/identity';

const EXPORT_PAGE = 1_000;

/** Validates a query string (400 naming the parameter) for one endpoint. */
export function auditQuery(raw: unknown, endpoint: 'events' | 'export' | 'stats'): AuditQuery {
  try {
    return parseAuditQuery((raw ?? {}) as Record<string, unknown>, { maxLimit: 1_000, defaultLimit: 100, endpoint });
  } catch (err) {
    if (err instanceof AuditQueryError) throw IdentityError.invalid(err.message, err.param);
    throw err;
  }
}

/** The auditors' reads: pages of events, dashboard counts, and exports streamed in seq order (constant memory). */
@Injectable()
export class AuditQueryService {
  constructor(
    private readonly ds: DataSource,
    private readonly reader: AuditReader,
  ) {}

  async page(orgId: string, q: AuditQuery): Promise<{ data: ChainedAuditEvent[]; next_cursor: string | null }> {
    const { sql, params } = eventsPageSql(orgId, q);
    const rows = await this.ds.query<AuditEventRow[]>(sql, params);
    const { events, next_cursor } = toPage(rows.map(eventFromRow), q.limit);
    return { data: events, next_cursor };
  }

  async stats(orgId: string, q: AuditQuery): Promise<AuditStats> {
    const { grouped, categories } = statsSql(orgId, q);
    const [g, c] = await Promise.all([this.ds.query(grouped.sql, grouped.params), this.ds.query(categories.sql, categories.params)]);
    return shapeStats(q, g as never, c as never);
  }

  /** Matching events, oldest first, read in keyset pages of 1,000. */
  async *events(orgId: string, q: AuditQuery): AsyncGenerator<ChainedAuditEvent> {
    const w = eventsWhere(orgId, { ...q, beforeSeq: undefined });
    let after = 0;
    for (;;) {
      const params = [...w.params, after];
      const rows = await this.ds.query<AuditEventRow[]>(
        `SELECT ${EVENT_SELECT} FROM audit_event WHERE ${w.sql} AND seq > $${params.length}::bigint ORDER BY seq LIMIT ${EXPORT_PAGE}`,
        params,
      );
      for (const r of rows) yield eventFromRow(r);
      if (rows.length < EXPORT_PAGE) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  /**
   * JSON Lines: the events (oldest first), then the checkpoints inside the exported seq range, then one `export`
   * line (org, count, range, whether filters thinned it, the chain head, the public keys that signed), so
   * `verify-audit` can check the file alone. An unfiltered export verifies end to end.
   */
  async *jsonl(orgId: string, q: AuditQuery): AsyncGenerator<string> {
    let count = 0;
    let first: number | null = null;
    let last: number | null = null;
    for await (const e of this.events(orgId, q)) {
      count++;
      first ??= e.seq;
      last = e.seq;
      yield `${JSON.stringify(e)}\n`;
    }
    const checkpoints = first === null ? [] : await this.reader.checkpoints(orgId, first, last!);
    for (const cp of checkpoints) yield `${JSON.stringify({ checkpoint: cp })}\n`;
    const keys = await this.reader.publicKeys();
    const used = new Set(checkpoints.map((c) => c.key_id));
    const publicKeys = Object.fromEntries([...keys].filter(([id]) => used.has(id)).map(([id, k]) => [id, publicKeyBase64(k.key)]));
    const filtered = Object.entries(q).some(([k, v]) => v !== undefined && !['from', 'to', 'limit', 'format'].includes(k));
    const meta = { org_id: orgId, generated_at: new Date().toISOString(), count, first_seq: first, last_seq: last, filtered, head: await this.reader.head(orgId), public_keys: publicKeys };
    yield `${JSON.stringify({ export: meta })}\n`;
  }

  /** RFC 4180 CSV, formula-guarded (see csv.ts), oldest first. */
  async *csv(orgId: string, q: AuditQuery): AsyncGenerator<string> {
    yield csvHeader();
    for await (const e of this.events(orgId, q)) yield csvRow(e);
  }
}
