import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { UsageEntry } from './ledger-entry';

/**
 * Settles a batch in one transaction (`gw_settle_usage`, CreditLeases migration): usage entries become ledger rows
 * (skipping entry ids already written), their reservations are deleted, and each account's balance moves by the
 * aggregate charged. Exactly once per request id, whatever the redeliveries. A call granted from a replica's credit
 * lease and never carved out of it has no row of its own: its lease shrinks by what it was charged, with its ledger row.
 */
const SETTLE_SQL = 'SELECT gw_settle_usage($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';

const GRANT_SQL = `
WITH ins AS (
  INSERT INTO credit_ledger (entry_id, kind, org_id, user_id, credits, occurred_at)
  VALUES ($1, 'grant', $2, $3, $4, now()) ON CONFLICT (entry_id) DO NOTHING RETURNING org_id, credits
)
INSERT INTO credit_account (org_id, balance) SELECT org_id, credits FROM ins
ON CONFLICT (org_id) DO UPDATE SET balance = credit_account.balance + EXCLUDED.balance, updated_at = now()
RETURNING balance`;

const SWEEP_SQL = `DELETE FROM credit_reservation WHERE expires_at < now() RETURNING org_id`;

const USAGE_SQL = `
SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, api_key_id, model,
       count(*)::int AS requests, sum(input_tokens)::bigint AS input_tokens, sum(output_tokens)::bigint AS output_tokens,
       (-sum(credits))::bigint AS credits, sum(cost_usd) AS cost_usd
FROM credit_ledger
WHERE org_id = $1 AND kind = 'usage' AND occurred_at >= $2 AND occurred_at < $3
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;

/**
 * Largest grant, and largest balance a grant may produce (10^12): far below 2^53, so balances and
 * sums stay exact as JSON numbers.
 */
export const MAX_CREDITS = 1_000_000_000_000;

/** A grant above {@link MAX_CREDITS}, or one that would take the balance above it (a 400 naming `credits`). */
export class CreditLimitError extends Error {
  readonly param = 'credits';

  constructor(message: string) {
    super(message);
    this.name = 'CreditLimitError';
  }
}

/**
 * Grants of one organisation serialise on this lock (key space 7703; admission uses 7702), so two
 * concurrent grants cannot both pass the balance cap. Settlement only lowers the balance and
 * reservations do not change it, so neither needs the lock.
 */
const GRANT_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7703))`;
/** Read after the lock (a new snapshot): the balance every earlier grant left, and whether this entry exists. */
const GRANT_STATE_SQL = `SELECT (SELECT balance FROM credit_account WHERE org_id = $1) AS balance, EXISTS (SELECT 1 FROM credit_ledger WHERE entry_id = $2) AS done`;

/**
 * A grant inside the caller's transaction (e.g. the bootstrap's; it must be one, the lock is held
 * until it ends): one ledger entry plus the balance, refused with {@link CreditLimitError} past
 * {@link MAX_CREDITS}.
 * @returns the new balance, or null when `entryId` was already granted.
 */
export async function grantCredits(manager: EntityManager, orgId: string, credits: number, userId: string | null, entryId = `grant_${randomUUID()}`): Promise<number | null> {
  if (!Number.isSafeInteger(credits) || credits <= 0) throw new Error('credits must be a positive integer');
  if (credits > MAX_CREDITS) throw new CreditLimitError(`Invalid 'credits': a grant is at most ${MAX_CREDITS}`);
  await manager.query(GRANT_LOCK_SQL, [orgId]);
  const [state] = await manager.query<Array<{ balance: string | null; done: boolean }>>(GRANT_STATE_SQL, [orgId, entryId]);
  if (state.done) return null;
  const balance = Number(state.balance ?? 0);
  if (balance + credits > MAX_CREDITS) {
    throw new CreditLimitError(`Invalid 'credits': the balance (${balance}) plus this grant would exceed ${MAX_CREDITS}`);
  }
  const rows = await manager.query<Array<{ balance: string }>>(GRANT_SQL, [entryId, orgId, userId, credits]);
  return rows.length ? Number(rows[0].balance) : null;
}

export interface Balance {
  balance: number;
  /** Held by calls in flight with a reservation of their own. */
  reserved: number;
  /**
   * Held by the replicas' credit leases (CREDIT_LEASES): granted to calls in flight not carved out yet, or still to
   * grant; an idle replica gives its unused part back within seconds.
   */
  leased: number;
  available: number;
}

export interface UsageRow {
  day: string;
  apiKeyId: string | null;
  model: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  credits: number;
  costUsd: number;
}

/** Owns the SQL of credit_account, credit_reservation and credit_ledger (the durable side). */
@Injectable()
export class LedgerRepository {
  constructor(private readonly ds: DataSource) {}

  async settleBatch(entries: readonly UsageEntry[]): Promise<void> {
    if (!entries.length) return;
    const unique = [...new Map(entries.map((e) => [e.requestId, e])).values()];
    const col = <T>(f: (e: UsageEntry) => T) => unique.map(f);
    const params = [
      col((e) => e.requestId),
      col((e) => e.orgId),
      col((e) => e.apiKeyId),
      col((e) => e.userId),
      col((e) => e.model),
      col((e) => Math.round(e.inputTokens)),
      col((e) => Math.round(e.outputTokens)),
      col((e) => Math.max(0, Math.round(e.credits))),
      col((e) => e.costUsd),
      col((e) => e.occurredAt),
      col((e) => e.lease ?? null),
    ];
    await this.ds.query(SETTLE_SQL, params);
  }

  /**
   * Adds credits as a ledger entry; `entryId` makes a retried grant harmless. Returns the new balance.
   * Past {@link MAX_CREDITS} (per grant or resulting balance) it throws {@link CreditLimitError}.
   */
  async grant(orgId: string, credits: number, userId: string | null, entryId = `grant_${randomUUID()}`): Promise<number> {
    const balance = await this.ds.transaction((manager) => grantCredits(manager, orgId, credits, userId, entryId));
    return balance ?? (await this.balance(orgId)).balance;
  }

  async balance(orgId: string): Promise<Balance> {
    const rows = await this.ds.query<Array<{ balance: string; reserved: string; leased: string }>>(
      `SELECT a.balance, h.reserved, h.leased FROM credit_account a,
              LATERAL (SELECT COALESCE(sum(r.credits) FILTER (WHERE NOT r.lease), 0) AS reserved,
                              COALESCE(sum(r.credits) FILTER (WHERE r.lease), 0) AS leased
                         FROM credit_reservation r WHERE r.org_id = a.org_id) h
        WHERE a.org_id = $1`,
      [orgId],
    );
    const balance = Number(rows[0]?.balance ?? 0);
    const reserved = Number(rows[0]?.reserved ?? 0);
    const leased = Number(rows[0]?.leased ?? 0);
    return { balance, reserved, leased, available: Math.max(0, balance - reserved - leased) };
  }

  /** Sum of the organisation's ledger (equals `balance` once the billing queue is drained). */
  async ledgerSum(orgId: string): Promise<number> {
    const rows = await this.ds.query<Array<{ s: string }>>('SELECT COALESCE(sum(credits), 0) AS s FROM credit_ledger WHERE org_id = $1', [orgId]);
    return Number(rows[0].s);
  }

  async usage(orgId: string, from: Date, to: Date): Promise<UsageRow[]> {
    const rows = await this.ds.query<Array<Record<string, string | number | null>>>(USAGE_SQL, [orgId, from, to]);
    return rows.map((r) => ({
      day: String(r.day),
      apiKeyId: (r.api_key_id as string | null) ?? null,
      model: (r.model as string | null) ?? null,
      requests: Number(r.requests),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      credits: Number(r.credits),
      costUsd: Number(r.cost_usd),
    }));
  }

  /** Releases reservations of calls that never settled (their gateway died); returns how many. */
  async sweepExpired(): Promise<number> {
    const rows = await this.ds.query<unknown[]>(SWEEP_SQL);
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }
}
