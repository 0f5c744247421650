import { Pool, type Dispatcher } from 'undici';
import { ClassifierUnavailableError } from '../engine/types';
import { RequestDeadline, type CallSignal } from '@gw/inference';

/** A classifier answer bigger than this is not an answer (a moderation result is ~1 KB per input). */
const MAX_BODY = 4 * 1024 * 1024;

export interface ClassifierHttpOptions {
  /** Classifier id, used in error messages (never the key, never the text). */
  id: string;
  /** `https://host/v1` style; a bare origin gets `/v1`. */
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  connections?: number;
}

/**
 * One keep-alive undici Pool per classifier upstream, posting JSON and reading JSON. Every failure (transport,
 * timeout, caller abort, non-2xx, oversized or non-JSON body) becomes a ClassifierUnavailableError whose message
 * names the classifier and the failure kind only: bodies may echo the input text and errors may echo the key.
 */
export class ClassifierHttp {
  private readonly pool: Pool;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly opts: ClassifierHttpOptions) {
    const base = new URL(opts.baseUrl);
    const path = base.pathname.replace(/\/+$/, '');
    this.prefix = path === '' ? '/v1' : path;
    this.pool = new Pool(base.origin, {
      connections: opts.connections ?? 8,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: Math.min(opts.timeoutMs, 5_000) },
    });
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (opts.apiKey) this.headers.authorization = `Bearer ${opts.apiKey}`;
  }

  /** A deadline for one `classify` call: the caller's signal plus the timeout. Always dispose it. */
  deadline(signal?: CallSignal): Deadline {
    return new Deadline(this.opts.id, this.opts.timeoutMs, signal);
  }

  /** POSTs `body` to `<base>/<route>` and resolves with the parsed JSON of a 2xx answer. */
  async postJson(route: string, body: unknown, deadline: Deadline): Promise<unknown> {
    deadline.throwIfAborted();
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({ path: `${this.prefix}/${route}`, method: 'POST', headers: this.headers, body: JSON.stringify(body), signal: deadline.signal });
    } catch (err) {
      throw deadline.failure(err, 'request failed');
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.body.destroy();
      throw this.unavailable(`upstream answered HTTP ${res.statusCode}`);
    }
    let text = '';
    const utf8 = new TextDecoder();
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        text += utf8.decode(chunk, { stream: true });
        if (text.length > MAX_BODY) {
          res.body.destroy();
          throw this.unavailable('upstream answer too large');
        }
      }
    } catch (err) {
      if (err instanceof ClassifierUnavailableError) throw err;
      throw deadline.failure(err, 'reading the answer failed');
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.unavailable('upstream answer is not JSON');
    }
  }

  unavailable(what: string, cause?: unknown): ClassifierUnavailableError {
    return new ClassifierUnavailableError(this.opts.id, `classifier '${this.opts.id}': ${what}`, cause === undefined ? undefined : { cause });
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => this.pool.destroy());
  }
}

/**
 * One classify call's deadline: the inference layer's {@link RequestDeadline} (the caller's signal plus a timeout,
 * remembering which fired) with the classifier's error wording.
 */
export class Deadline {
  private readonly inner: RequestDeadline;

  constructor(
    private readonly id: string,
    private readonly timeoutMs: number,
    caller?: CallSignal,
  ) {
    this.inner = new RequestDeadline(caller, timeoutMs, 'classifier');
  }

  get signal(): CallSignal {
    return this.inner.signal;
  }

  throwIfAborted(): void {
    if (this.inner.timedOut || this.inner.clientAborted) throw this.failure(undefined, 'not sent');
  }

  /** The error for a failed call: says timeout/abort when the deadline fired, else the transport error's code. */
  failure(err: unknown, what: string): ClassifierUnavailableError {
    if (err instanceof ClassifierUnavailableError) return err;
    const code = (err as { code?: unknown } | undefined)?.code;
    const detail = this.inner.timedOut
      ? `timed out after ${this.timeoutMs} ms`
      : this.inner.clientAborted
        ? 'aborted by the caller'
        : `${what}${typeof code === 'string' ? ` (${code})` : ''}`;
    return new ClassifierUnavailableError(this.id, `classifier '${this.id}': ${detail}`, { cause: err });
  }

  /** Aborts whatever is still in flight (one batch failed: the others' answers are no longer needed). */
  cancel(): void {
    this.inner.cancel(new Error('classification cancelled'));
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/** Runs `jobs` with at most `limit` in flight; rejects with the first failure and starts no job after it. */
export async function runLimited<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !failed) {
      const i = next++;
      try {
        out[i] = await jobs[i]();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return out;
}

/**
 * Splits a text into pieces of at most `max` UTF-16 units, cutting at whitespace when one is near, never inside a
 * surrogate pair, with `overlap` units repeated so a phrase cut at a boundary is whole in one piece.
 */
export function splitText(text: string, max: number, overlap = 200): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  const step = Math.max(1, Math.min(overlap, Math.floor(max / 4)));
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + max);
    if (end < text.length) {
      const ws = text.lastIndexOf(' ', end);
      if (ws > start + max * 0.75) end = ws;
      if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    }
    out.push(text.slice(start, end));
    if (end >= text.length) break;
    start = Math.max(start + 1, end - step);
    if (isLowSurrogate(text.charCodeAt(start))) start++;
  }
  return out;
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
