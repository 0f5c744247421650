import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { Client } from 'pg';

/** Fields the gateway adds to billed chat responses (top level, or on the usage chunk of a stream). */
export interface CreditFields {
  remaining_credits: number;
  estimated_credits_used: number;
  estimated_cost_usd: number;
}

export interface HttpCall {
  status: number;
  headers: Headers;
  // Response JSON of several shapes (completions, errors, control API), asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** The documented price of a call: `max(1, ceil(total/500))` credits and `total × 0.000005` USD. */
export const expectedCredits = (totalTokens: number): number => Math.max(1, Math.ceil(totalTokens / 500));
export const expectedCostUsd = (totalTokens: number): number => totalTokens * 0.000005;

/** One JSON request; `token` becomes a bearer header. */
export async function http(
  url: string,
  opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpCall> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (e.g. SSE): keep the text
  }
  return { status: res.status, headers: res.headers, body };
}

/** A small non-stream chat call to `abliterated-model` on an inference base URL. */
export function chat(inferenceUrl: string, key: string | undefined, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<HttpCall> {
  return http(`${inferenceUrl}/v1/chat/completions`, {
    token: key,
    headers,
    body: { model: 'abliterated-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16, ...extra },
  });
}

/** The control API as one owner: login once, then JWT calls. */
export async function controlAs(controlUrl: string, email: string, password: string) {
  const login = await http(`${controlUrl}/api/auth/login`, { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.access_token as string;
  return {
    token,
    call: (method: string, path: string, body?: unknown) => http(`${controlUrl}${path}`, { method, token, body }),
    async createKey(label: string, fields: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
      const res = await http(`${controlUrl}/api/keys`, { token, body: { label, ...fields } });
      if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; key: string };
    },
  };
}

/** Runs one query on a fresh connection. */
export async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Polls until `check` returns true (or the deadline passes); returns whether it did. */
export async function until(check: () => Promise<boolean>, timeoutMs = 20_000, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const accepting = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** A private, non-persistent redis-server child (never the machine's shared Redis). */
export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export function ownRedis(port: number): OwnRedis {
  let child: ChildProcess | null = null;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      if (!(await until(() => accepting(port), 10_000))) throw new Error(`redis-server did not listen on ${port}`);
    },
    async kill() {
      const c = child;
      child = null;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Credits held by an organisation's calls in flight (sum of its reservation rows; 0 once all settled). A replica's
 * credit lease (CREDIT_LEASES) is not a call: its uncarved calls settle against it, its idle part is given back.
 */
export async function reservedCredits(dbUrl: string, orgId: string): Promise<number> {
  const [{ n }] = await query<{ n: string }>(dbUrl, 'SELECT COALESCE(sum(credits), 0) AS n FROM credit_reservation WHERE org_id = $1 AND NOT lease', [orgId]);
  return Number(n);
}

/** The organisation's account balance and the sum of its ledger (they must be equal). */
export async function balanceAndLedgerSum(dbUrl: string, orgId: string): Promise<{ balance: number; ledgerSum: number }> {
  const [acc] = await query<{ balance: string }>(dbUrl, 'SELECT balance FROM credit_account WHERE org_id = $1', [orgId]);
  const [{ sum }] = await query<{ sum: string | null }>(dbUrl, 'SELECT sum(credits) AS sum FROM credit_ledger WHERE org_id = $1', [orgId]);
  return { balance: Number(acc?.balance ?? NaN), ledgerSum: Number(sum ?? 0) };
}
