import type { DataSource } from 'typeorm';
import type { CanonicalMessage } from '../canonical/canonical-request';

export interface StoredResponse {
  id: string;
  orgId: string;
  model: string;
  /** The conversation up to and including this answer, instructions excluded (OpenAI does not carry them over). */
  history: CanonicalMessage[];
  /** The response object as returned to the caller. */
  response: Record<string, unknown>;
}

/**
 * Responses kept for `previous_response_id` (`store: true`), in Postgres so every replica sees them.
 * Reads are scoped to the caller's organisation and ignore expired rows; a sweep deletes those.
 */
export class ResponseStore {
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly ds: DataSource,
    private readonly ttlMs: number,
  ) {}

  async save(r: StoredResponse): Promise<void> {
    await this.ds.query(
      `INSERT INTO stored_response (id, org_id, model, history, response, expires_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, now() + ($6 || ' milliseconds')::interval)
       ON CONFLICT (id) DO NOTHING`,
      [r.id, r.orgId, r.model, JSON.stringify(r.history), JSON.stringify(r.response), String(this.ttlMs)],
    );
  }

  /** The stored response, or null when unknown, expired or owned by another organisation. */
  async load(id: string, orgId: string | null): Promise<StoredResponse | null> {
    if (!orgId) return null;
    const rows = await this.ds.query<Array<{ id: string; org_id: string; model: string; history: CanonicalMessage[]; response: Record<string, unknown> }>>(
      'SELECT id, org_id, model, history, response FROM stored_response WHERE id = $1 AND org_id = $2 AND expires_at > now()',
      [id, orgId],
    );
    const row = rows[0];
    return row ? { id: row.id, orgId: row.org_id, model: row.model, history: row.history, response: row.response } : null;
  }

  /** True when a live response of this organisation was deleted. */
  async delete(id: string, orgId: string | null): Promise<boolean> {
    if (!orgId) return false;
    // TypeORM answers a raw DELETE on Postgres with [rows, affectedCount].
    const [, affected] = await this.ds.query<[unknown[], number]>('DELETE FROM stored_response WHERE id = $1 AND org_id = $2 AND expires_at > now()', [id, orgId]);
    return affected > 0;
  }

  /** Deletes expired rows; returns how many. */
  async sweep(): Promise<number> {
    const [, affected] = await this.ds.query<[unknown[], number]>('DELETE FROM stored_response WHERE expires_at <= now()');
    return affected;
  }

  /** Sweeps every `everyMs` in the background until {@link stop}. */
  start(everyMs: number, onError: (err: unknown) => void): void {
    this.sweeper ??= setInterval(() => void this.sweep().catch(onError), everyMs);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
