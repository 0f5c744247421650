import { readSse, type SseFrame } from './sse';
import { query, until } from './metering-e2e';

/** The three streaming surfaces, each with the body of a long stream from `model`. */
const SURFACES = [
  ['/v1/chat/completions', (model: string) => ({ model, stream: true, messages: [{ role: 'user', content: 'go' }], max_tokens: 600 })],
  ['/v1/responses', (model: string) => ({ model, stream: true, input: 'go', max_output_tokens: 600 })],
  ['/v1/messages', (model: string) => ({ model, stream: true, messages: [{ role: 'user', content: 'go' }], max_tokens: 600 })],
] as const;

export interface OpenStream {
  path: string;
  requestId: string;
  /** `tick` deltas received so far (the fake's slow stream sends one word per chunk). */
  ticks: number;
  /** Resolves with every frame once the gateway ended the stream (or the connection broke: then `broken`). */
  done: Promise<{ frames: SseFrame[]; broken: boolean }>;
}

/** Opens `n` streams spread over the three surfaces and counts their deltas as they arrive. */
export async function openStreams(baseUrl: string, key: string, model: string, n: number): Promise<OpenStream[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const [path, body] = SURFACES[i % SURFACES.length];
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body(model)),
      });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      const [forCount, forFrames] = res.body!.tee();
      const s: OpenStream = { path, requestId: res.headers.get('x-request-id')!, ticks: 0, done: undefined as never };
      void (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const c of forCount as unknown as AsyncIterable<Uint8Array>) s.ticks += decoder.decode(c, { stream: true }).split('tick').length - 1;
        } catch {
          // reported through `done`
        }
      })();
      s.done = readSse(new Response(forFrames)).then(
        (frames) => ({ frames, broken: false }),
        () => ({ frames: [], broken: true }),
      );
      return s;
    }),
  );
}

/** Waits until every stream has received at least `ticks` deltas. */
export const allStreaming = (streams: OpenStream[], ticks = 3, timeoutMs = 15_000) => until(async () => streams.every((s) => s.ticks >= ticks), timeoutMs);

/**
 * The credits a stream's last frame says it was charged, if that frame is the surface's in-stream error:
 * chat `data: {"error":…}`, Responses `response.failed`, Messages `event: error`. Undefined when the
 * stream did not end with a proper error frame; null when it did but carries no charge.
 */
export function chargedByErrorFrame(path: string, frames: SseFrame[]): number | null | undefined {
  const last = frames.at(-1);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- three wire shapes, read field by field
  const data = last?.data as any;
  if (!last || typeof data !== 'object' || data === null) return undefined;
  const credits = (v: unknown) => (typeof v === 'number' ? v : null);
  if (path === '/v1/chat/completions') return data.error ? credits(data.estimated_credits_used) : undefined;
  if (path === '/v1/responses') return last.event === 'response.failed' ? credits(data.response?.estimated_credits_used) : undefined;
  return last.event === 'error' && data.error ? credits(data.estimated_credits_used) : undefined;
}

export interface StreamRows {
  audit: Array<{ request_id: string; status: string; output_tokens: number }>;
  ledger: Array<{ entry_id: string; credits: string; output_tokens: number }>;
}

/** Audit and ledger rows of the given streams, once both have one row per stream (or after the timeout). */
export async function streamRows(dbUrl: string, ids: string[], timeoutMs = 30_000): Promise<StreamRows> {
  let rows: StreamRows = { audit: [], ledger: [] };
  await until(async () => {
    rows = {
      audit: await query(dbUrl, 'SELECT request_id, status, output_tokens FROM audit_event WHERE request_id = ANY($1)', [ids]),
      ledger: await query(dbUrl, 'SELECT entry_id, credits, output_tokens FROM credit_ledger WHERE entry_id = ANY($1)', [ids]),
    };
    return rows.audit.length >= ids.length && rows.ledger.length >= ids.length;
  }, timeoutMs);
  return rows;
}

export interface UpstreamKillResult {
  streams: number;
  properErrors: number;
  chargeTold: number;
  audit: number;
  auditError: number;
  ledger: number;
  ledgerMatchesGenerated: number;
  /** Up to five ledger rows that do not charge what the client saw, for the failure message. */
  mismatches: unknown[];
  recoveryMs: number;
}

/**
 * Opens `n` streams through `model` (served by the upstream `kill` closes), kills that upstream once all
 * of them stream, and collects what the clients saw and what the books hold. The caller asserts.
 */
export async function killUpstreamMidStream(baseUrl: string, key: string, dbUrl: string, model: string, n: number, kill: () => Promise<void>): Promise<UpstreamKillResult> {
  const streams = await openStreams(baseUrl, key, model, n);
  if (!(await allStreaming(streams))) throw new Error(`not every stream got deltas: ${streams.map((s) => s.ticks).join(',')}`);
  await kill();
  const killedAt = Date.now();
  // Deltas delivered before the kill (a Responses `response.failed` repeats the whole text afterwards).
  const ticks = new Map(streams.map((s) => [s.requestId, s.ticks]));
  const ended = await Promise.all(streams.map((s) => s.done));
  const charged = ended.map((e, i) => chargedByErrorFrame(streams[i].path, e.frames));
  const ids = streams.map((s) => s.requestId);
  const rows = await streamRows(dbUrl, ids);
  const recoveryMs = Date.now() - killedAt;
  const told = new Map(streams.map((s, i) => [s.requestId, charged[i]]));
  // Charged what was generated: at least what the client received, and the client's error frame said so.
  const matchesGenerated = (r: StreamRows['ledger'][number]) => r.output_tokens >= ticks.get(r.entry_id)! && -Number(r.credits) >= 1 && told.get(r.entry_id) === -Number(r.credits);
  const matches = rows.ledger.filter(matchesGenerated);
  const mismatches = rows.ledger
    .filter((r) => !matchesGenerated(r))
    .slice(0, 5)
    .map((r) => ({ path: streams.find((s) => s.requestId === r.entry_id)?.path, ticksSeen: ticks.get(r.entry_id), ledgerOutput: r.output_tokens, charged: -Number(r.credits), told: told.get(r.entry_id) }));
  return {
    streams: n,
    properErrors: charged.filter((c) => c !== undefined).length,
    chargeTold: charged.filter((c) => typeof c === 'number').length,
    audit: rows.audit.length,
    auditError: rows.audit.filter((a) => a.status === 'error').length,
    ledger: rows.ledger.length,
    ledgerMatchesGenerated: matches.length,
    mismatches,
    recoveryMs,
  };
}
