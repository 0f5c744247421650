import Ajv, { type ErrorObject, type JSONSchemaType, type ValidateFunction } from 'ajv';
import { GatewayError } from '@gw/inference';

// Compiled JSON-schema validation (ajv): an order of magnitude cheaper than class-validator on the hot path.
// `verbose` keeps the offending value on an error (only when one is raised), so the 400 can quote it.
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, verbose: true });

/** `/messages/0/content` → `messages[0].content` (OpenAI's `param` notation). */
export function toParam(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** A short rendering of a rejected value: never the whole of a long string (it may be a prompt). */
const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v === 'string' ? `a string of length ${v.length}` : typeof v);
const sizeOf = (v: unknown): number => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0);

/** Bound violations, worded as OpenAI words them (`Invalid 'tools': array too long. Expected …`). */
function bound(e: ErrorObject, param: string): string | undefined {
  const limit = String(e.params.limit);
  const n = sizeOf(e.data);
  const kind = String((e.parentSchema as { type?: unknown } | undefined)?.type).includes('integer') ? 'integer' : 'decimal';
  switch (e.keyword) {
    case 'maximum':
      return `Invalid '${param}': ${kind} above maximum value. Expected a value <= ${limit}, but got ${shown(e.data)} instead.`;
    case 'minimum':
      return `Invalid '${param}': ${kind} below minimum value. Expected a value >= ${limit}, but got ${shown(e.data)} instead.`;
    case 'maxItems':
      return `Invalid '${param}': array too long. Expected an array with maximum length ${limit}, but got an array with length ${n} instead.`;
    case 'minItems':
      return `Invalid '${param}': array too short. Expected an array with minimum length ${limit}, but got an array with length ${n} instead.`;
    case 'maxLength':
      return `Invalid '${param}': string too long. Expected a string with maximum length ${limit}, but got a string with length ${n} instead.`;
    case 'minLength':
      return `Invalid '${param}': string too short. Expected a string with minimum length ${limit}, but got a string with length ${n} instead.`;
    case 'maxProperties':
      return `Invalid '${param}': too many properties. Expected an object with at most ${limit} properties, but got an object with ${n} properties instead.`;
    case 'pattern':
      return `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '${String(e.params.pattern)}'.`;
    default:
      return undefined;
  }
}

function describe(e: ErrorObject): { param: string; message: string } {
  if (e.keyword === 'required') {
    const param = toParam(e.instancePath, String(e.params.missingProperty));
    return { param, message: `Missing required parameter: '${param}'.` };
  }
  const param = toParam(e.instancePath) || '(body)';
  // A `propertyNames` failure is reported on the object; the key itself is what was wrong.
  const key = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (key !== undefined) {
    return { param, message: `Invalid '${param}': key of length ${key.length} is too long. Expected keys with maximum length ${String(e.params.limit)}.` };
  }
  if (e.keyword === 'type') return { param, message: `Invalid type for '${param}': expected ${String(e.params.type).split(',').join(' or ')}.` };
  if (e.keyword === 'enum' || e.keyword === 'const') {
    const values = e.keyword === 'enum' ? (e.params.allowedValues as unknown[]) : [e.params.allowedValue];
    return { param, message: `Invalid value for '${param}': expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}.` };
  }
  return { param, message: bound(e, param) ?? `Invalid value for '${param}': ${e.message ?? 'invalid'}.` };
}

export type Validator<T> = (body: unknown) => T;

/** Turns the first ajv error into the 400's `param` and message, in a protocol's own notation. */
export type ErrorDescriber = (e: ErrorObject) => { param: string; message: string };

/** A schema compiler over `instance`: the returned function throws a 400 `GatewayError` naming the first bad field. */
export function validatorCompiler(instance: Ajv, describeError: ErrorDescriber): <T>(schema: JSONSchemaType<T> | Record<string, unknown>) => Validator<T> {
  return <T>(schema: JSONSchemaType<T> | Record<string, unknown>): Validator<T> => {
    const validate = instance.compile(schema) as ValidateFunction<T>;
    return (body: unknown): T => {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw GatewayError.invalid('The request body must be a JSON object.');
      }
      if (validate(body)) return body;
      const { param, message } = describeError(validate.errors![0]);
      throw GatewayError.invalid(message, param);
    };
  };
}

/** Compiles a schema once with OpenAI's `param` notation (`messages[0].content`). */
export const compileValidator = validatorCompiler(ajv, describe);
