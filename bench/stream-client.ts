/**
 * The streaming probe (performance.md §6.1): one SSE request over undici; records time to the first content
 * event, the gaps between content events, frames and content frames received, the terminator, and errors.
 * What counts as content / terminator / error depends on the protocol (stream-protocols.ts).
 * Arrival time is the time of the socket read that completed the frame.
 */
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { PROTOCOLS, type StreamProtocol } from './stream-protocols';

export interface StreamResult {
  status: number;
  /** ms from sending the request to the first content event (NaN when none arrived). */
  ttftMs: number;
  /** ms between consecutive content events. */
  gapsMs: number[];
  frames: number;
  contentFrames: number;
  /** The protocol's terminator arrived ([DONE], response.completed, message_stop). */
  sawEnd: boolean;
  totalMs: number;
  error?: string;
}

export interface StreamRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  protocol: StreamProtocol;
  timeoutMs: number;
}

/** Splits one SSE frame into its `event:` field and joined `data:` lines. */
function fields(raw: string): { event?: string; data: string } {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  return { event, data: data.join('\n') };
}

export async function runStream(client: Dispatcher, req: StreamRequest): Promise<StreamResult> {
  const r: StreamResult = { status: 0, ttftMs: NaN, gapsMs: [], frames: 0, contentFrames: 0, sawEnd: false, totalMs: NaN };
  const classify = PROTOCOLS[req.protocol].classify;
  const t0 = performance.now();
  let last = 0;
  try {
    const res = await client.request({ path: req.path, method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs) });
    r.status = res.statusCode;
    if (r.status < 200 || r.status > 299) {
      r.error = `HTTP ${r.status}: ${(await res.body.text()).slice(0, 200)}`;
      r.totalMs = performance.now() - t0;
      return r;
    }
    const utf8 = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const now = performance.now();
      // SSE allows CRLF; a CR split across two reads is not handled (Node servers write LF).
      buf += utf8.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const { event, data } = fields(buf.slice(0, end));
        buf = buf.slice(end + 2);
        if (data === '' && event === undefined) continue;
        r.frames++;
        const kind = classify(event, data);
        if (kind === 'end') r.sawEnd = true;
        else if (kind === 'error') r.error ??= `error event: ${(event ? `${event} ` : '') + data.slice(0, 200)}`;
        if (kind !== 'content') continue;
        if (r.contentFrames++ === 0) r.ttftMs = now - t0;
        else r.gapsMs.push(now - last);
        last = now;
      }
    }
  } catch (err) {
    r.error = err instanceof Error ? err.message : String(err);
  }
  r.totalMs = performance.now() - t0;
  return r;
}
