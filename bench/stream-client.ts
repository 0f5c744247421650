/**
 * The streaming probe (performance.md §6.1): one SSE request over undici; records time to the first content
 * delta, the gaps between content deltas, frames and content frames received, [DONE], and errors.
 * Arrival time is the time of the socket read that completed the frame.
 */
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';

export interface StreamResult {
  status: number;
  /** ms from sending the request to the first frame with non-empty `choices[0].delta.content`. */
  ttftMs: number;
  /** ms between consecutive content frames. */
  gapsMs: number[];
  frames: number;
  contentFrames: number;
  sawDone: boolean;
  totalMs: number;
  error?: string;
}

export async function runStream(
  client: Dispatcher,
  path: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<StreamResult> {
  const r: StreamResult = { status: 0, ttftMs: NaN, gapsMs: [], frames: 0, contentFrames: 0, sawDone: false, totalMs: NaN };
  const t0 = performance.now();
  let last = 0;
  try {
    const res = await client.request({ path, method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    r.status = res.statusCode;
    const utf8 = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const now = performance.now();
      buf += utf8.decode(chunk, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const data = buf
          .slice(0, end)
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        buf = buf.slice(end + 2);
        if (data === '') continue;
        r.frames++;
        if (data === '[DONE]') {
          r.sawDone = true;
          continue;
        }
        const content = (JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }> }).choices?.[0]?.delta?.content;
        if (typeof content !== 'string' || content === '') continue;
        if (r.contentFrames++ === 0) r.ttftMs = now - t0;
        else r.gapsMs.push(now - last);
        last = now;
      }
    }
    if (r.status < 200 || r.status > 299) r.error = `HTTP ${r.status}`;
  } catch (err) {
    r.error = err instanceof Error ? err.message : String(err);
  }
  r.totalMs = performance.now() - t0;
  return r;
}
