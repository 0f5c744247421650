/** The verdict on one response: the invariants every fuzz case must keep, whatever it sent. */
import type { FuzzCase } from './generator';
import type { Outcome } from './send';
import type { Envelope } from './types';

export interface Problem {
  /** Failures are grouped by (endpoint, status, this). */
  what: string;
  /**
   * 5xx bodies are generic ("internal"), so those groups are split further by the case's family (what it sent,
   * e.g. `deep 10,000-level array at tools[].function.parameters`): one group per distinct defect.
   */
  byFamily?: boolean;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const strOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The shape of a body, for grouping (`{error{code,message,type},request_id}`), so one defect is one group. */
export function shapeOf(text: string): string {
  const v = parse(text);
  if (!v) return text.length === 0 ? 'empty body' : 'non-JSON body';
  const keys = (o: Record<string, unknown>): string =>
    Object.keys(o).sort().map((k) => (o[k] !== null && typeof o[k] === 'object' && !Array.isArray(o[k]) ? `${k}{${Object.keys(o[k]).sort().join(',')}}` : k)).join(',');
  return `{${keys(v)}}`;
}

/** The error's type/code as the envelope names it, for grouping. */
export function errorType(text: string): string {
  const v = parse(text);
  const e = v?.error;
  if (e && typeof e === 'object') {
    const { type, code } = e as Record<string, unknown>;
    return [type, code].filter(isStr).join('/') || shapeOf(text);
  }
  return shapeOf(text);
}

/** OpenAI and control: `{error:{message,type,param,code}}`; Anthropic: `{type:"error",error:{type,message},request_id}`. */
export function envelopeProblem(envelope: Envelope, text: string): string | undefined {
  const v = parse(text);
  const e = v?.error as Record<string, unknown> | undefined;
  if (envelope === 'anthropic') {
    const ok = v?.type === 'error' && e && isStr(e.type) && isStr(e.message) && isStr(v.request_id);
    return ok ? undefined : `not the Anthropic envelope: ${shapeOf(text)}`;
  }
  const ok = e && typeof e === 'object' && isStr(e.message) && isStr(e.type) && 'param' in e && strOrNull(e.param) && 'code' in e && strOrNull(e.code);
  return ok ? undefined : `not the ${envelope === 'openai' ? 'OpenAI' : 'control'} envelope {error:{message,type,param,code}}: ${shapeOf(text)}`;
}

/** Whether the stream ended with an error event although the request was accepted. */
function streamFailed(text: string): boolean {
  return /^event: (error|response\.failed)$/m.test(text) || /^data: \{"error"/m.test(text);
}

export function check(c: FuzzCase, out: Outcome): Problem | undefined {
  const own = verdict(c, out);
  if (own) return own;
  if (out.keptOpen) return { what: 'connection: close not honoured (socket open 1 s after the response)', byFamily: true };
  if (!out.retriedAfterReset) return undefined;
  return { what: `connection reset on a reused keep-alive connection (alone this case answers ${out.status})` };
}

function verdict(c: FuzzCase, out: Outcome): Problem | undefined {
  const spec = c.endpoint;
  if (out.status === 0) return { what: `no response (${out.error})`, byFamily: true };
  if (out.status >= 500) return { what: `5xx ${errorType(out.text)}`, byFamily: true };
  if (c.audited && out.headers['x-request-id'] !== c.requestId) return { what: `x-request-id not echoed (${out.headers['x-request-id']})` };
  if (out.status >= 400) {
    const bad = envelopeProblem(spec.envelope, out.text);
    if (bad) return { what: bad };
    if (c.mustServe) return { what: `valid request refused: ${errorType(out.text)}` };
    return undefined;
  }
  if (out.status < 200 || out.status > 299) return { what: `unexpected status class` };
  const streaming = (out.headers['content-type'] ?? '').startsWith('text/event-stream');
  if (streaming && streamFailed(out.text)) return { what: 'accepted stream ended with an error event' };
  const bad = spec.checkOk(out.text, streaming);
  return bad ? { what: bad } : undefined;
}
