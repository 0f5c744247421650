/**
 * The seeded case generator. Case `index` of `endpoint` under `seed` is always the same request (same kind, body
 * and headers up to the forged tokens' random ids), built from its own PRNG: rebuild it alone with
 * `generateCase(seed, spec, index, ctx)` (or `node dist/bench/fuzz.js --seed=S --case=chat:17 --print`).
 */
import { forgedJwt } from './forged-jwt';
import { deep, emptyObject, hostileNumber, hostileString, hugeArray, hugeString, malformed, unknownModel, wrongType, type Mutated } from './mutators';
import { Rng } from './prng';
import { serialise } from './raw-json';
import type { EndpointSpec, FuzzContext, Json } from './types';

export type CaseKind =
  | 'valid' | 'malformed' | 'wrong-type' | 'deep' | 'string' | 'number' | 'empty-object'
  | 'huge-array' | 'huge-string' | 'content-type' | 'auth' | 'header' | 'raw-header' | 'model';

const WEIGHTS: Record<CaseKind, number> = {
  valid: 14, malformed: 8, 'wrong-type': 16, deep: 8, string: 10, number: 10, 'empty-object': 6,
  'huge-array': 2, 'huge-string': 2, 'content-type': 5, auth: 7, header: 5, 'raw-header': 3, model: 4,
};

export interface FuzzCase {
  endpoint: EndpointSpec;
  index: number;
  kind: CaseKind;
  note: string;
  requestId: string;
  headers: Record<string, string>;
  body: Buffer;
  stream: boolean;
  /** Header lines undici refuses to send (control bytes...): the case goes over a raw socket. */
  rawHeaderLines?: string[];
  /**
   * Whether the request must leave exactly one audit row: inference requests that reach the router. Excluded:
   * raw-socket cases and header sections over Node's 16 KiB limit, which the HTTP parser rejects before any
   * request object (hence any request id) exists.
   */
  audited: boolean;
  /** A valid case that must be answered 2xx. */
  mustServe: boolean;
}

export interface GenerateOptions {
  /** BODY_LIMIT_BYTES of the gateway (huge strings are sized around it). */
  bodyLimit: number;
}

const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/jsonp', 'APPLICATION/JSON', '', 'application/json, text/plain', 'application/xml', '*/*'];

function mutateBody(kind: CaseKind, rng: Rng, spec: EndpointSpec, body: Record<string, Json>, o: GenerateOptions): Mutated {
  switch (kind) {
    case 'malformed': return malformed(rng, body);
    case 'wrong-type': return wrongType(rng, body);
    case 'deep': return deep(rng, spec, body);
    case 'string': return hostileString(rng, body);
    case 'number': return hostileNumber(rng, spec, body);
    case 'empty-object': return emptyObject(rng, spec, body);
    case 'huge-array': return hugeArray(rng, spec, body);
    case 'huge-string': return hugeString(rng, body, o.bodyLimit);
    case 'model': return spec.plane === 'inference' ? unknownModel(rng, body) : wrongType(rng, body);
    case 'valid': case 'content-type': case 'auth': case 'header': case 'raw-header':
      return { note: '', body };
  }
}

function credential(spec: EndpointSpec, ctx: FuzzContext, rng: Rng): Record<string, string> {
  if (spec.auth === 'none') return {};
  if (spec.auth === 'jwt') return { authorization: `Bearer ${ctx.jwt}` };
  // Inference: mostly the API key, sometimes the owner's login token, on /v1/messages* sometimes x-api-key.
  if (spec.envelope === 'anthropic' && rng.chance(0.3)) return { 'x-api-key': ctx.apiKey };
  return { authorization: `Bearer ${rng.chance(0.15) ? ctx.jwt : ctx.apiKey}` };
}

function badAuth(rng: Rng, spec: EndpointSpec, ctx: FuzzContext, headers: Record<string, string>): string {
  delete headers.authorization;
  delete headers['x-api-key'];
  const variants: Array<[string, () => Record<string, string>]> = [
    ['no credential', () => ({})],
    ['Bearer with nothing', () => ({ authorization: 'Bearer' })],
    ['Basic', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['unknown ak_ key', () => ({ authorization: `Bearer ak_${'Z'.repeat(32)}` })],
    ['key with junk after', () => ({ authorization: `Bearer ${ctx.apiKey} junk` })],
    ['lower-case bearer', () => ({ authorization: `bearer ${spec.auth === 'jwt' ? ctx.jwt : ctx.apiKey}` })],
    ['4 KiB token', () => ({ authorization: `Bearer ${'x'.repeat(4096)}` })],
    ['API key on the control plane / JWT swap', () => ({ authorization: `Bearer ${spec.auth === 'jwt' ? ctx.apiKey : ctx.jwt.slice(0, -2)}` })],
    ['x-api-key garbage', () => ({ 'x-api-key': 'garbage' })],
    ['free tier without credential', () => ({ 'x-free-tier': 'true' })],
  ];
  const i = rng.int(variants.length + 1);
  if (i === variants.length) {
    const [label, token] = forgedJwt(rng, ctx.jwt, ctx.jwtSecret);
    headers.authorization = `Bearer ${token}`;
    return `auth: forged token (${label})`;
  }
  Object.assign(headers, variants[i][1]());
  return `auth: ${variants[i][0]}`;
}

function headerJunk(rng: Rng, spec: EndpointSpec, headers: Record<string, string>): { note: string; oversized: boolean } {
  const variants: Array<[string, () => void, boolean?]> = [
    ['8 KiB header value', () => void (headers['x-junk'] = 'v'.repeat(8 * 1024))],
    ['20 KiB header value (over the 16 KiB limit)', () => void (headers['x-junk'] = 'v'.repeat(20 * 1024)), true],
    ['100 headers', () => { for (let i = 0; i < 100; i++) headers[`x-h${i}`] = 'v'.repeat(64); }],
    ['anthropic-version junk', () => void (headers['anthropic-version'] = 'not-a-date'.repeat(50))],
    ['anthropic-beta junk', () => void (headers['anthropic-beta'] = Array.from({ length: 50 }, (_, i) => `beta-${i}`).join(','))],
    ['accept: text/event-stream', () => void (headers.accept = 'text/event-stream')],
    ['query string junk', () => void (headers[':query'] = `?beta=true&%00=%ff&a=${'q'.repeat(2000)}`)],
    ['content-encoding gzip (not gzip)', () => void (headers['content-encoding'] = 'gzip')],
  ];
  const [note, apply, oversized] = rng.pick(spec.envelope === 'anthropic' ? variants : variants.filter((v) => !v[0].startsWith('anthropic')));
  apply();
  return { note: `header: ${note}`, oversized: oversized === true };
}

const RAW_LINES: Array<[string, string]> = [
  ['NUL in a header value', 'x-junk: a\u0000b'],
  ['control byte in a header value', 'x-junk: a\u0001\u001bb'],
  ['DEL in a header value', 'x-junk: a\u007fb'],
  ['NUL in the authorization header', 'authorization: Bearer ak_\u0000'],
  ['latin-1 byte in a header value', 'x-junk: caf\u00e9'],
  ['header line without a colon', 'x-junk-no-colon'],
  ['space in a header name', 'x junk: v'],
  ['duplicate content-type', 'content-type: text/plain'],
];

/** Builds case `index` of `spec` under `seed`. */
export function generateCase(seed: number, spec: EndpointSpec, index: number, ctx: FuzzContext, o: GenerateOptions): FuzzCase {
  const rng = Rng.forCase(seed, spec.name, index);
  const kind = rng.weighted({ ...WEIGHTS, ...spec.weights });
  // A copy: bases share constant sub-objects (schemas) that a mutation must not change for later cases.
  const base = structuredClone(spec.base(rng, ctx, index));
  const stream = base.stream === true;
  const requestId = `fz${ctx.runTag}-${spec.name}-${index}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': requestId, ...credential(spec, ctx, rng) };
  if (spec.envelope === 'anthropic') headers['anthropic-version'] = '2023-06-01';
  const mustServe = kind === 'valid' && (spec.mustServe?.(base, ctx) ?? true);
  const { note: bodyNote, body } = mutateBody(kind, rng, spec, base, o);
  let note = bodyNote || 'valid request';
  let oversized = false;
  let rawHeaderLines: string[] | undefined;
  if (kind === 'content-type') {
    const ct = rng.chance(0.2) ? undefined : rng.pick(CONTENT_TYPES);
    if (ct === undefined) delete headers['content-type'];
    else headers['content-type'] = ct;
    note = `content-type ${ct === undefined ? 'missing' : JSON.stringify(ct)}`;
  } else if (kind === 'auth') {
    note = badAuth(rng, spec, ctx, headers);
  } else if (kind === 'header') {
    ({ note, oversized } = headerJunk(rng, spec, headers));
  } else if (kind === 'raw-header') {
    const [label, line] = rng.pick(RAW_LINES);
    rawHeaderLines = [line];
    note = `raw header: ${label}`;
  }
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(serialise(body));
  const audited = spec.audited && rawHeaderLines === undefined && !oversized;
  return { endpoint: spec, index, kind, note, requestId, headers, body: bytes, stream, rawHeaderLines, audited, mustServe };
}
