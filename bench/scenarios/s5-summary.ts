/**
 * S5 stream types and their per-window summary (shared by the c=1 rounds and the concurrent step): one row per
 * stream type, "added" figures = that row − the direct row of the same window kind, per percentile.
 */
import type { Target } from '../lib/options';
import type { WindowHistogram } from '../lib/scraped-histograms';
import { minus, pcts, type Pcts } from '../lib/stats';
import type { StreamRequest, StreamResult } from '../stream-client';
import { PROTOCOLS, type StreamProtocol } from '../stream-protocols';

export type StreamType = 'direct' | 'thin' | 'gateway-chat' | 'gateway-responses' | 'gateway-messages' | 'gateway-policy-chat';
/** Every stream type, in report order (windows run in random order); `--stream-types` names a subset. */
export const STREAM_TYPES: readonly StreamType[] = ['direct', 'thin', 'gateway-chat', 'gateway-responses', 'gateway-messages', 'gateway-policy-chat'];

/**
 * The policy stream (issue 9): chat on `/policy/v1/chat/completions` with an inline policy of 1,000 deny terms,
 * every PII detector redacting and three built-in categories, so the output scanner and the `policy` object on
 * every frame are in the path. The mock's deltas (`tok000 `) end in digits: a number followed by a space may be
 * the start of a card or phone, so each is held until the next delta arrives (one delta interval of TTFT).
 */
const POLICY_PATH = '/policy/v1/chat/completions';
export const BENCH_POLICY = {
  policy_id: 'bench',
  config: {
    rules: {
      denylist: Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? `codename-${i}` : `internal project x${i}`)),
      redact_pii: true,
      flagged_categories: ['hate', 'harassment', 'violence'],
    },
  },
};

export interface StreamTarget {
  type: StreamType;
  target: Target;
  request: StreamRequest;
}

export interface S5Row {
  type: StreamType;
  protocol: StreamProtocol;
  path: string;
  /** 1 for the interleaved rounds, else the number of streams open at once. */
  concurrency: number;
  /** Concurrent windows: the order they ran in (types are shuffled per level). */
  seq?: number;
  streams: number;
  ttftMs: Pcts;
  gapMs: Pcts;
  /** Versus the direct row with the same concurrency (absent on the direct row itself). */
  added?: { ttftMs: Pcts; gapMs: Pcts };
  /** Σ max(0, expected − content events) and Σ max(0, content events − expected) over the streams. */
  framesLost: number;
  framesExtra: number;
  missingEnd: number;
  /** Streams that failed (HTTP error, error event, timeout), and their distinct messages. */
  errorStreams: number;
  errors: string[];
  /** Busy fraction of the load core during a concurrent window (NaN when unknown or at c=1). */
  loadCoreBusy: number;
  /** CPU time of the target process over a concurrent window ÷ streams, in µs (NaN at c=1 or when unknown). */
  cpuUsPerStream: number;
  /** The gateway's histograms over a concurrent window (its /metrics, scraped before and after). */
  gatewaySeen?: { ttft?: WindowHistogram; admission?: WindowHistogram; gc?: WindowHistogram; loopDelayMs?: { p50: number; p99: number; max: number } };
}

const PROMPT = 'Count slowly.';
/** Never reached by the mock's 64 deltas; it only bounds the gateway's credit reservation. */
const MAX_TOKENS = 256;

/** direct and thin speak chat to the mock; the gateway is probed once per protocol against the same mock. */
export function streamTargets(targets: Target[], model: string, timeoutMs: number): StreamTarget[] {
  const make = (type: StreamType, target: Target, protocol: StreamProtocol, path: string): StreamTarget => {
    const spec = PROTOCOLS[protocol];
    const headers = { ...target.headers, ...spec.headers };
    return { type, target, request: { path, body: spec.body(model, PROMPT, MAX_TOKENS), headers, protocol, timeoutMs } };
  };
  const out: StreamTarget[] = [];
  for (const t of targets) {
    if (t.name !== 'gateway') out.push(make(t.name, t, 'chat', t.path));
    else {
      out.push(make('gateway-chat', t, 'chat', t.path));
      out.push(make('gateway-responses', t, 'responses', `${t.prefix ?? ''}${PROTOCOLS.responses.path}`));
      out.push(make('gateway-messages', t, 'messages', `${t.prefix ?? ''}${PROTOCOLS.messages.path}`));
      const policy = make('gateway-policy-chat', { ...t, headers: t.policyHeaders ?? t.headers }, 'chat', POLICY_PATH);
      policy.request = { ...policy.request, body: JSON.stringify({ ...(JSON.parse(policy.request.body) as object), policy: BENCH_POLICY }) };
      out.push(policy);
    }
  }
  return out;
}

export function summarise(st: StreamTarget, concurrency: number, rs: StreamResult[], expected: number, loadCoreBusy = NaN, cpuUsPerStream = NaN): S5Row {
  return {
    type: st.type,
    protocol: st.request.protocol,
    path: st.request.path,
    concurrency,
    streams: rs.length,
    ttftMs: pcts(rs.filter((r) => !Number.isNaN(r.ttftMs)).map((r) => r.ttftMs)),
    gapMs: pcts(rs.flatMap((r) => r.gapsMs)),
    framesLost: rs.reduce((n, r) => n + Math.max(0, expected - r.contentFrames), 0),
    framesExtra: rs.reduce((n, r) => n + Math.max(0, r.contentFrames - expected), 0),
    missingEnd: rs.filter((r) => !r.sawEnd).length,
    errorStreams: rs.filter((r) => r.error !== undefined).length,
    errors: [...new Set(rs.flatMap((r) => (r.error ? [r.error] : [])))],
    loadCoreBusy,
    cpuUsPerStream,
  };
}

/** Sorts by concurrency, then type, and fills `added` on every row that has a direct row with the same concurrency. */
export function addDeltas(rows: S5Row[]): S5Row[] {
  rows.sort((a, b) => a.concurrency - b.concurrency || STREAM_TYPES.indexOf(a.type) - STREAM_TYPES.indexOf(b.type));
  for (const row of rows) {
    const direct = rows.find((d) => d.type === 'direct' && d.concurrency === row.concurrency);
    if (row.type === 'direct' || !direct) continue;
    row.added = { ttftMs: minus(row.ttftMs, direct.ttftMs), gapMs: minus(row.gapMs, direct.gapMs) };
  }
  return rows;
}
