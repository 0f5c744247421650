import { Agent, request } from 'undici';

/**
 * One HTTP POST for the HTTP-based senders (webhook, Splunk HEC, OTLP), with the rules they share: a hard
 * deadline covering connect, headers and body (`timeout_ms`), no redirects followed (a 3xx is a config error,
 * and following one could leak a signed event elsewhere), a bounded read of the answer, and errors that name
 * the receiver's origin only (a webhook path or query may itself be a credential, as Slack's are).
 */

/** The part of a result that says why a delivery failed (senders add `delivered`). */
export interface Failure {
  retryable: boolean;
  status?: number;
  error: string;
  retryAfterMs?: number;
}

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** `false` accepts any certificate (self-signed receivers). */
  verifyTls?: boolean;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The answer's first {@link MAX_ANSWER_BYTES} bytes. */
  text: string;
}

/** Enough for any acknowledgement (HEC, OTLP partial success); a receiver cannot make us buffer more. */
export const MAX_ANSWER_BYTES = 64 * 1024;

let insecure: Agent | undefined;
/** One shared agent for receivers that opted out of TLS verification (connections are pooled per origin). */
const insecureAgent = (): Agent => (insecure ??= new Agent({ connect: { rejectUnauthorized: false } }));

/** `https://host:port` of a URL: what an error may name. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

/** 408 (timeout), 429 (rate limited) and 5xx may pass later; other statuses will not. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The failure of a non-2xx answer. `detail` is the receiver's own short explanation, if it has one we trust. */
export function statusFailure(answer: HttpAnswer, url: string, detail?: string): Failure {
  const retryAfter = retryAfterMs(answer.headers['retry-after']);
  return {
    retryable: isRetryableStatus(answer.status),
    status: answer.status,
    error: `HTTP ${answer.status} from ${originOf(url)}${detail ? `: ${detail}` : ''}`,
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  };
}

/**
 * The failure of a request that got no answer: retryable (the receiver may be back later), except when undici
 * refused the request itself (`UND_ERR_INVALID_ARG`: it would be refused again).
 */
export function networkFailure(err: unknown, url: string, timedOut: boolean, timeoutMs: number, aborted: boolean): Failure {
  if (timedOut) return { retryable: true, error: `no answer from ${originOf(url)} within ${timeoutMs} ms` };
  if (aborted) return { retryable: true, error: `delivery to ${originOf(url)} aborted` };
  const e = err as { code?: unknown };
  const code = typeof e?.code === 'string' ? e.code.replace(/[^\w.-]/g, '').slice(0, 64) : 'network error';
  return { retryable: code !== 'UND_ERR_INVALID_ARG', error: `${code} from ${originOf(url)}` };
}

async function readLimited(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_ANSWER_BYTES) break; // leaving the loop destroys the stream
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
}

/** POSTs once; the answer, whatever its status, or the failure of a request that got none. */
export async function postOnce(p: HttpPost): Promise<{ answer: HttpAnswer } | { failure: Failure }> {
  const deadline = AbortSignal.timeout(p.timeoutMs);
  const signal = p.signal ? AbortSignal.any([p.signal, deadline]) : deadline;
  try {
    const res = await request(p.url, {
      method: 'POST',
      headers: p.headers,
      body: p.body,
      signal,
      headersTimeout: p.timeoutMs,
      bodyTimeout: p.timeoutMs,
      ...(p.verifyTls === false ? { dispatcher: insecureAgent() } : {}),
    });
    const text = await readLimited(res.body);
    return { answer: { status: res.statusCode, headers: res.headers, text } };
  } catch (err) {
    return { failure: networkFailure(err, p.url, deadline.aborted, p.timeoutMs, p.signal?.aborted === true) };
  }
}
