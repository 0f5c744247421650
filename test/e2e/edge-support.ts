import { connect } from 'node:net';
import { Client } from 'pg';

export interface RawOutcome {
  /** Everything the server sent. */
  text: string;
  /** How the connection ended: the server closed it (FIN), reset it, or it was still open at `waitMs`. */
  end: 'closed' | 'reset' | 'open';
  /** Milliseconds from the first byte sent to the end. */
  ms: number;
  /** Milliseconds from `marker` first appearing in the response to the end (when given and seen). */
  afterMarkerMs?: number;
}

/**
 * Writes `parts` to a fresh TCP connection (`gapMs` apart) and collects the answer until the server closes
 * the connection or `waitMs` passed. What HTTP clients hide (resets, connections left open) is visible here.
 */
export function rawExchange(
  origin: string,
  parts: Array<string | Buffer>,
  /** `afterMarkerMs`: stop waiting this long after `marker` was seen (still open then = 'open'). */
  opts: { waitMs: number; gapMs?: number; marker?: string; afterMarkerMs?: number },
): Promise<RawOutcome> {
  const url = new URL(origin);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const started = Date.now();
    let text = '';
    let markerAt: number | undefined;
    let end: RawOutcome['end'] | undefined;
    const finish = (how: RawOutcome['end']) => {
      if (end) return;
      end = how;
      clearTimeout(timer);
      clearInterval(writer);
      socket.destroy();
      const now = Date.now();
      resolve({ text, end: how, ms: now - started, afterMarkerMs: markerAt === undefined ? undefined : now - markerAt });
    };
    const timer = setTimeout(() => finish('open'), opts.waitMs);
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (opts.marker && markerAt === undefined && text.includes(opts.marker)) {
        markerAt = Date.now();
        if (opts.afterMarkerMs !== undefined) setTimeout(() => finish('open'), opts.afterMarkerMs);
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'closed'));
    socket.on('close', () => finish('closed'));
    const queue = [...parts];
    socket.write(queue.shift() ?? '');
    const writer = setInterval(() => {
      const next = queue.shift();
      if (next === undefined) clearInterval(writer);
      else if (!socket.destroyed) socket.write(next);
    }, opts.gapMs ?? 0);
  });
}

/** Status and JSON body of a raw HTTP/1.1 response (the body must be a single JSON value, not chunked). */
export function parseRaw(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
  let body: unknown;
  try {
    body = JSON.parse(rest.join('\r\n\r\n'));
  } catch {
    body = rest.join('\r\n\r\n');
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** A request head with `headers`; `body` gets a content-length unless one is given. */
export function rawRequest(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const all: Record<string, string> = { host: 'gateway.test', ...headers };
  if (body && !Object.keys(all).some((k) => k.toLowerCase() === 'content-length')) all['content-length'] = String(Buffer.byteLength(body));
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

/** Audit rows per request id, once `ids` all have one (or the timeout passed), then again after a pause: duplicates show up. */
export async function auditCounts(databaseUrl: string, ids: string[], settleMs = 800): Promise<Record<string, number>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const count = async () => {
      const { rows } = await client.query<{ request_id: string; n: string }>('SELECT request_id, count(*) AS n FROM audit_event WHERE request_id = ANY($1) GROUP BY request_id', [ids]);
      return Object.fromEntries(rows.map((r) => [r.request_id, Number(r.n)]));
    };
    const deadline = Date.now() + 15_000;
    while (Object.keys(await count()).length < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, settleMs));
    return await count();
  } finally {
    await client.end();
  }
}

/** `depth` nested arrays. */
export const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
