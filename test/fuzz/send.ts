/** Sends fuzz cases: undici pools for well-formed HTTP, a raw socket for the header bytes undici refuses to write. */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';
import type { FuzzCase } from './generator';

export interface Outcome {
  /** 0 when no response arrived (`error` says why). */
  status: number;
  headers: Record<string, string>;
  text: string;
  error?: string;
  /** Wall time of the exchange. */
  ms: number;
  /** Set when the first attempt was reset on a reused keep-alive connection and this is the retry on a fresh one. */
  retriedAfterReset?: boolean;
  /** Raw requests only: the server kept the socket open after a complete response to `connection: close`. */
  keptOpen?: boolean;
}

const TIMEOUT_MS = 30_000;

export class Sender {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly origins: { inference: string; control: string },
    private readonly connections: number,
  ) {}

  async send(c: FuzzCase): Promise<Outcome> {
    const origin = this.origins[c.endpoint.plane];
    const { ':query': query = '', ...headers } = c.headers;
    const path = c.endpoint.path + query;
    const t0 = performance.now();
    if (c.rawHeaderLines) return { ...(await rawRequest(origin, path, headers, c.rawHeaderLines, c.body)), ms: performance.now() - t0 };
    let pool = this.pools.get(origin);
    if (!pool) this.pools.set(origin, (pool = new Pool(origin, { connections: this.connections, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS })));
    const first = await exchange(pool, path, headers, c.body, t0);
    if (first.error !== 'ECONNRESET' && first.error !== 'UND_ERR_SOCKET') return first;
    // A reset usually belongs to the previous request on that keep-alive connection (the server closed it without
    // `connection: close`): the case is sent again alone, so its own answer is judged and the reset still reported.
    const fresh = new Client(origin, { headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    try {
      return { ...(await exchange(fresh, path, headers, c.body, performance.now())), retriedAfterReset: true };
    } finally {
      await fresh.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}

async function exchange(d: Pool | Client, path: string, headers: Record<string, string>, body: Buffer, t0: number): Promise<Outcome> {
  try {
    const res = await d.request({ method: 'POST', path, headers, body });
    const text = await res.body.text();
    return { status: res.statusCode, headers: flat(res.headers), text, ms: performance.now() - t0 };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { status: 0, headers: {}, text: '', error: e.code ?? e.message ?? String(err), ms: performance.now() - t0 };
  }
}

function flat(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * One HTTP/1.1 request written byte for byte (latin-1, so `\u0000` is a NUL byte). It asks for `connection: close`;
 * once the response is complete the server has 1 s to close the socket, else `keptOpen` is set and the socket dropped.
 */
function rawRequest(origin: string, path: string, headers: Record<string, string>, lines: string[], body: Buffer): Promise<Omit<Outcome, 'ms'>> {
  const url = new URL(origin);
  const head = [`POST ${path} HTTP/1.1`, `host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ...lines, `content-length: ${body.length}`, 'connection: close', '', ''].join('\r\n');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let complete: Omit<Outcome, 'ms'> | undefined;
    let closeTimer: NodeJS.Timeout | undefined;
    const socket = connect(Number(url.port), url.hostname);
    const timer = setTimeout(() => socket.destroy(), TIMEOUT_MS);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      complete ??= parseResponse(Buffer.concat(chunks), true);
      if (complete && !closeTimer) closeTimer = setTimeout(() => ((complete!.keptOpen = true), socket.destroy()), 1_000);
    });
    socket.on('error', () => undefined); // a reset after the response is fine; a reset before it shows as status 0
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(closeTimer);
      const parsed = complete ?? parseResponse(Buffer.concat(chunks), false);
      resolve(parsed ?? { status: 0, headers: {}, text: '', error: chunks.length === 0 ? 'connection closed without a response' : 'unparsable response' });
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/**
 * The first response in `raw` (status line, headers, a content-length or chunked body). With `whole`, undefined
 * until the body is complete (a chunked body needs its last chunk); without, whatever arrived before the close.
 */
function parseResponse(raw: Buffer, whole: boolean): Omit<Outcome, 'ms'> | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['content-length'] !== undefined) {
    if (whole && body.length < Number(headers['content-length'])) return undefined;
    body = body.subarray(0, Number(headers['content-length']));
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    if (whole && !body.includes('\r\n0\r\n\r\n') && !body.subarray(0, 5).equals(Buffer.from('0\r\n\r\n'))) return undefined;
    body = unchunk(body);
  } else if (whole) return undefined; // read until close
  return { status: Number(m[1]), headers, text: body.toString('utf8') };
}

function unchunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(b.subarray(pos, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
