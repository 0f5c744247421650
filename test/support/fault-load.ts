import { balanceAndLedgerSum, query, reservedCredits } from './metering-e2e';
import { ChainVerifier, eventFromRow, EVENT_SELECT, keysById, loadPublicKey, type AuditCheckpoint, type AuditEventRow, type VerifyReport } from '@gw/audit';

/** One call made during a fault: its HTTP status (0 = no response: reset or the client timeout). */
export interface Outcome {
  status: number;
  requestId: string | null;
  startedAt: number;
  endedAt: number;
  /** The error envelope's `type`/`code` (or the network error) when not 200. */
  detail?: string;
}

/**
 * Small non-stream chat calls from `concurrency` loops over `urls` (round robin) until `stop()`.
 * Each call has a client timeout, so a gateway that hangs instead of answering shows up as status 0.
 */
export async function loadUntil(urls: string[], key: string, model: string, concurrency: number, stop: () => boolean, timeoutMs = 15_000): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let n = 0;
  const loop = async () => {
    while (!stop()) {
      const url = urls[n++ % urls.length];
      const startedAt = Date.now();
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        let detail: string | undefined;
        if (res.status !== 200) {
          try {
            const e = (JSON.parse(text) as { error?: { type?: string; code?: string } }).error;
            detail = `${e?.type}/${e?.code}`;
          } catch {
            detail = text.slice(0, 80);
          }
        }
        outcomes.push({ status: res.status, requestId: res.headers.get('x-request-id'), startedAt, endedAt: Date.now(), detail });
      } catch (err) {
        outcomes.push({ status: 0, requestId: null, startedAt, endedAt: Date.now(), detail: (err as Error).message });
        await new Promise((r) => setTimeout(r, 50)); // a refused connection fails at once: do not spin
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return outcomes;
}

/** `{"200": 812, "503": 40}` */
export function statusTally(outcomes: Outcome[]): Record<string, number> {
  const tally: Record<string, number> = {};
  for (const o of outcomes) tally[o.status] = (tally[o.status] ?? 0) + 1;
  return tally;
}

export interface Books {
  served: number;
  /** Audit rows of the served calls. */
  audit: number;
  /** Ledger rows of the served calls. */
  ledger: number;
  /** Calls answered 503, and how many of them have an audit row. */
  refused: number;
  refusedAudited: number;
  /** Calls answered with any other status (or none), and how many of them have an audit row. */
  failed: number;
  /** Of those, the ones that got a response with an `x-request-id` (so an audit row can be looked up). */
  failedWithId: number;
  failedAudited: number;
  /** Credits still held by the organisation's reservations. */
  reserved: number;
  /** The organisation's audit hash chain verifies (no gap, fork, double or bad hash); its head seq and first break. */
  chainOk: boolean;
  chainHead: number;
  chainBreak: unknown;
  balance: number;
  ledgerSum: number;
}

const ids = (outcomes: Outcome[], status: number) => outcomes.filter((o) => o.status === status && o.requestId).map((o) => o.requestId!);

/** Audit and ledger rows of the served calls among `outcomes`. */
export async function servedRows(dbUrl: string, outcomes: Outcome[]): Promise<{ served: number; audit: number; ledger: number }> {
  const served = ids(outcomes, 200);
  const count = async (sql: string) => Number((await query<{ n: string }>(dbUrl, sql, [served]))[0].n);
  return {
    served: served.length,
    audit: await count('SELECT count(*) AS n FROM audit_event WHERE request_id = ANY($1)'),
    ledger: await count('SELECT count(*) AS n FROM credit_ledger WHERE entry_id = ANY($1)'),
  };
}

/** Reads what the database holds about the calls of one fault (one organisation per fault). */
export async function readBooks(dbUrl: string, orgId: string, outcomes: Outcome[]): Promise<Books> {
  const refused = ids(outcomes, 503);
  const failed = outcomes.filter((o) => o.status !== 200 && o.status !== 503);
  const audited = async (list: string[]) => Number((await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM audit_event WHERE request_id = ANY($1)', [list]))[0].n);
  return {
    ...(await servedRows(dbUrl, outcomes)),
    refused: refused.length,
    refusedAudited: await audited(refused),
    failed: failed.length,
    failedWithId: failed.filter((o) => o.requestId).length,
    failedAudited: await audited(failed.filter((o) => o.requestId).map((o) => o.requestId!)),
    reserved: await reservedCredits(dbUrl, orgId),
    ...(await balanceAndLedgerSum(dbUrl, orgId)),
    ...(await chainReport(dbUrl, orgId).then((r) => ({ chainOk: r.ok, chainHead: r.head, chainBreak: r.first_break }))),
  };
}

/** Every served call audited and billed once, every refused or failed call audited, nothing held, balance = ledger, the audit chain whole. */
export const balanced = (b: Books): boolean =>
  b.chainOk && b.audit === b.served && b.ledger === b.served && b.refusedAudited === b.refused && b.failedAudited === b.failedWithId && b.reserved === 0 && b.balance === b.ledgerSum;

/** Polls the books until they balance or `timeoutMs` passes; returns the last reading and when it balanced. */
export async function waitForBooks(dbUrl: string, orgId: string, outcomes: Outcome[], timeoutMs: number): Promise<{ books: Books; ok: boolean; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let books: Books | undefined;
    try {
      books = await readBooks(dbUrl, orgId, outcomes);
      if (balanced(books)) return { books, ok: true, at: Date.now() };
    } catch {
      // the database may still be coming back
    }
    if (Date.now() > deadline) return { books: books ?? (await readBooks(dbUrl, orgId, outcomes)), ok: false, at: Date.now() };
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The `t.diagnostic` line of one fault. */
export function describeBooks(fault: string, outcomes: Outcome[], books: Books, recoveryMs: number): string {
  const lost = Math.max(books.served - books.audit, books.served - books.ledger) + (books.refused - books.refusedAudited) + (books.failedWithId - books.failedAudited);
  return (
    `${fault}: calls=${outcomes.length} statuses=${JSON.stringify(statusTally(outcomes))} served=${books.served} ` +
    `audit=${books.audit} ledger=${books.ledger} refused503=${books.refused} refusedAudited=${books.refusedAudited} otherFailures=${books.failed} otherAudited=${books.failedAudited} ` +
    `lost=${lost} chain=${books.chainOk ? `ok through seq ${books.chainHead}` : `BROKEN ${JSON.stringify(books.chainBreak)}`} reservedLeft=${books.reserved} balance=${books.balance} ledgerSum=${books.ledgerSum} slowestCall=${Math.max(0, ...outcomes.map((o) => o.endedAt - o.startedAt))} ms recovery=${recoveryMs} ms`
  );
}

/** The distinct error-level log messages of a gateway's output (pino JSON lines, level ≥ 50), last `n`, for failure messages. */
export function errorLines(output: string, n = 5): string[] {
  const seen = new Set<string>();
  for (const line of output.split('\n')) {
    try {
      const rec = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string; stack?: string } };
      if ((rec.level ?? 0) >= 50) seen.add(`${rec.msg ?? ''} ${rec.err?.stack?.split('\n').slice(0, 4).join(' | ') ?? ''}`.slice(0, 600));
    } catch {
      if (/error/i.test(line)) seen.add(line.slice(0, 300));
    }
  }
  return [...seen].slice(-n);
}

/** When non-200 answers began and ended, relative to the fault's start and to the service's return. */
export function failureWindow(outcomes: Outcome[], downAt: number, upAt: number): string {
  const bad = outcomes.filter((o) => o.status !== 200);
  if (!bad.length) return 'no failed calls';
  const first = Math.min(...bad.map((o) => o.startedAt)) - downAt;
  const last = Math.max(...bad.map((o) => o.endedAt)) - upAt;
  return `failed calls from ${first} ms after the fault began until ${last} ms after the service was back`;
}

/**
 * Issue 11: after a fault, the organisation's hash chain is whole: every seq from the first retained one to the head,
 * each hash recomputed and linked, every checkpoint's signature valid (keys from `audit_signing_key`). A lost or
 * doubled event, or a fork made by two writers, shows here as a break. Returns the verifier's report.
 */
export async function chainReport(dbUrl: string, orgId: string): Promise<VerifyReport & { head: number }> {
  const [head] = await query<{ seq: string; entry_hash: Buffer; retained_from: string }>(dbUrl, 'SELECT seq::text, entry_hash, retained_from::text FROM audit_chain WHERE org_id = $1', [orgId]);
  const keys = await query<{ public_key: string }>(dbUrl, 'SELECT public_key FROM audit_signing_key');
  const verifier = new ChainVerifier({ orgId, publicKeys: keysById(keys.map((k) => loadPublicKey(k.public_key))), startSeq: Number(head?.retained_from ?? 1) });
  const cps = await query<Omit<AuditCheckpoint, 'seq' | 'created_at'> & { seq: string; created_at: Date }>(
    dbUrl,
    `SELECT org_id, seq::text, encode(entry_hash, 'hex') AS entry_hash, created_at, key_id, encode(signature, 'base64') AS signature FROM audit_checkpoint WHERE org_id = $1 ORDER BY seq`,
    [orgId],
  );
  for (const cp of cps) verifier.addCheckpoint({ ...cp, seq: Number(cp.seq), created_at: new Date(cp.created_at).toISOString() });
  for (const row of await query<AuditEventRow>(dbUrl, `SELECT ${EVENT_SELECT} FROM audit_event WHERE org_id = $1 ORDER BY seq`, [orgId])) verifier.addEvent(eventFromRow(row));
  const report = verifier.finish(head ? { seq: Number(head.seq), entry_hash: head.entry_hash.toString('hex') } : undefined);
  return { ...report, head: Number(head?.seq ?? 0) };
}
