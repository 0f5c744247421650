/** Body mutations: each takes a valid base body and returns a hostile one and a short note of what it did. */
import type { Rng } from './prng';
import { Raw, deepNest, deepSchema, serialise } from './raw-json';
import type { EndpointSpec, Json, JsonObject, Path } from './types';

export interface Mutated {
  note: string;
  /** A JSON value (serialised with its Raw holes) or the exact bytes to send. */
  body: Json | Buffer;
}

/** Every node of `value` below the root, with its path (Raw leaves excluded). */
function nodes(value: Json, path: Path = [], out: Array<{ path: Path; value: Json }> = []): Array<{ path: Path; value: Json }> {
  if (path.length > 0) out.push({ path, value });
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], out));
  else if (value !== null && typeof value === 'object' && !(value instanceof Raw)) for (const [k, v] of Object.entries(value)) nodes(v, [...path, k], out);
  return out;
}

/** Sets `path` in `root`, creating the objects on the way. */
export function setAt(root: JsonObject, path: Path, v: Json): void {
  let cur: Json = root;
  for (let i = 0; i < path.length - 1; i++) {
    const o = cur as Record<string | number, Json>;
    const next = o[path[i]];
    if (next === null || typeof next !== 'object' || next instanceof Raw) o[path[i]] = typeof path[i + 1] === 'number' ? [] : {};
    cur = o[path[i]];
  }
  (cur as Record<string | number, Json>)[path[path.length - 1]] = v;
}

const show = (p: Path): string => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');
const kindOf = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof Raw ? 'raw' : typeof v);

/** A private copy of a shared sample value (a case must never mutate what another case will use). */
const fresh = (v: Json): Json => (v instanceof Raw || v === null || typeof v !== 'object' ? v : structuredClone(v));

const OTHER_VALUES: Json[] = [null, true, false, 0, -1, 1.5, '', 'x', [], {}, [1, 'a', null], { a: 1 }, new Raw('1e308'), 'ak_' + 'x'.repeat(40)];

export function wrongType(rng: Rng, body: JsonObject): Mutated {
  const all = nodes(body);
  const { path, value } = rng.pick(all);
  const candidates = OTHER_VALUES.filter((v) => kindOf(v) !== kindOf(value));
  const v = fresh(rng.pick(candidates));
  setAt(body, path, v);
  return { note: `wrong type at ${show(path)}: ${serialise(v).slice(0, 40)}`, body };
}

export function emptyObject(rng: Rng, spec: EndpointSpec, body: JsonObject): Mutated {
  const found = nodes(body).filter((n) => n.value !== null && typeof n.value === 'object' && !Array.isArray(n.value)).map((n) => n.path);
  const candidates = [...spec.objectFields, ...found];
  // Bodies without object fields (login, grants) get `{}` for a top-level field, or are `{}` as a whole.
  if (candidates.length === 0 || rng.chance(0.1)) {
    if (rng.chance(0.5)) return { note: 'the body is {}', body: {} };
    candidates.push(...Object.keys(body).map((k) => [k]));
  }
  const path = rng.pick(candidates);
  setAt(body, path, {});
  return { note: `{} at ${show(path)}`, body };
}

const HOSTILE_CHARS = ['\u0000', '\ud800', '\udfff', '\ud83d', '\u0000\u0000', '\u001b[31m', '\u202e', '\ufeff', '\uffff', '\u0085', '\r\n'];

export function hostileString(rng: Rng, body: JsonObject): Mutated {
  const ch = rng.pick(HOSTILE_CHARS);
  const strings = nodes(body).filter((n) => typeof n.value === 'string');
  if (strings.length > 0 && rng.chance(0.7)) {
    const { path, value } = rng.pick(strings);
    const s = value as string;
    const at = rng.int(s.length + 1);
    setAt(body, path, s.slice(0, at) + ch + s.slice(at));
    return { note: `${JSON.stringify(ch)} in string ${show(path)}`, body };
  }
  const objects = [[], ...nodes(body).filter((n) => kindOf(n.value) === 'object').map((n) => n.path)] as Path[];
  const path = rng.pick(objects);
  const target = path.length === 0 ? body : (path.reduce<Json>((o, k) => (o as Record<string | number, Json>)[k], body) as JsonObject);
  target[`k${ch}ey`] = 'v';
  return { note: `${JSON.stringify(ch)} in a key under ${show(path) || '(root)'}`, body };
}

const HOSTILE_NUMERALS = ['1e308', '-1', '9007199254740993', '1.2e29', '0', '1.5', '-0', '1e-7', '2147483648', '4294967296', '-9007199254740993', '1E400', '123456789012345678901234567890'];

export function hostileNumber(rng: Rng, spec: EndpointSpec, body: JsonObject): Mutated {
  const numeric = nodes(body).filter((n) => typeof n.value === 'number').map((n) => n.path);
  const fields = [...spec.integerFields, ...numeric];
  const path = fields.length > 0 ? rng.pick(fields) : ['zz'];
  const n = rng.pick(HOSTILE_NUMERALS);
  setAt(body, path, new Raw(n));
  return { note: `${show(path)}: ${n}`, body };
}

export function deep(rng: Rng, spec: EndpointSpec, body: JsonObject): Mutated {
  const sites = [{ name: 'unknown field zz', put: (b: JsonObject, d: Raw) => void (b.zz = d) }, ...spec.deepSites];
  const site = rng.pick(sites);
  const form = rng.pick(['array', 'object', 'schema'] as const);
  const value = form === 'schema' ? deepSchema(5_000) : deepNest(10_000, form);
  site.put(body, value);
  return { note: `deep ${form === 'schema' ? '5,000 nested properties' : `10,000-level ${form}`} at ${site.name}`, body };
}

export function hugeArray(rng: Rng, spec: EndpointSpec, body: JsonObject): Mutated {
  const field = spec.arrayFields.length > 0 ? rng.pick(spec.arrayFields) : { path: ['zz'], item: 1 };
  const n = rng.pick([10_000, 30_000]);
  setAt(body, field.path, Array.from({ length: n }, () => field.item));
  return { note: `${n} items in ${show(field.path)}`, body };
}

/** A string leaf grows to `bytes` (UTF-8) of repeated `a` or `€`; `limit` is the body limit (some go past it). */
export function hugeString(rng: Rng, body: JsonObject, limit: number): Mutated {
  const strings = nodes(body).filter((n) => typeof n.value === 'string').map((n) => n.path);
  const path = strings.length > 0 ? rng.pick(strings) : ['zz'];
  const bytes = rng.pick([64 * 1024, 256 * 1024, limit - 8 * 1024, limit + 1024]);
  const ch = rng.pick(['a', '€']);
  setAt(body, path, ch.repeat(Math.floor(bytes / Buffer.byteLength(ch))));
  return { note: `${Math.round(bytes / 1024)} KiB of ${ch} in ${show(path)}${bytes > limit ? ' (over the body limit)' : ''}`, body };
}

/** Text that is not JSON, or JSON the schema cannot be expecting. */
export function malformed(rng: Rng, body: JsonObject): Mutated {
  const valid = serialise(body);
  const variants: Array<[string, () => string | Buffer]> = [
    ['empty body', () => ''],
    ['truncated', () => valid.slice(0, 1 + rng.int(valid.length - 1))],
    ['trailing garbage', () => `${valid}garbage`],
    ['trailing comma', () => valid.replace(/}$/, ',}')],
    ['single quotes', () => valid.replaceAll('"', "'")],
    ['NaN literal', () => valid.replace(/^{/, '{"zz":NaN,')],
    ['BOM first', () => `\ufeff${valid}`],
    ['null', () => 'null'],
    ['array', () => `[${valid}]`],
    ['string', () => JSON.stringify(valid)],
    ['number', () => '123'],
    ['duplicate keys', () => valid.replace(/^{/, '{"model":1,"model":"x",')],
    ['raw NUL byte in a string', () => valid.replace(/"([^"\\]*)"/, '"$1\u0000"')],
    ['invalid UTF-8', () => Buffer.concat([Buffer.from(valid.slice(0, -2)), Buffer.from([0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from(valid.slice(-2))])],
    ['10,000 unclosed [', () => '['.repeat(10_000)],
    ['whitespace only', () => ' \n\t'.repeat(1000)],
  ];
  const [note, make] = rng.pick(variants);
  const out = make();
  return { note: `malformed JSON: ${note}`, body: Buffer.isBuffer(out) ? out : Buffer.from(out) };
}

const MODELS: Json[] = ['gpt-4o', '', 'FAKE-MODEL', 'fake-model ', '../../etc/passwd', 'x'.repeat(10_000), 'bad\u0000model', 'model\ud800', 42, null, ['fake-model']];

export function unknownModel(rng: Rng, body: JsonObject): Mutated {
  const m = fresh(rng.pick(MODELS));
  body.model = m;
  return { note: `model ${serialise(m).slice(0, 40)}`, body };
}
