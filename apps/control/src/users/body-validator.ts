import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { IdentityError, isEmail, isPlainText } from '@gw/identity';

/**
 * Compiled JSON-schema validation of control-plane bodies: the same schema object is the OpenAPI
 * body and the validator, so the documentation cannot drift from what is enforced. Two formats cover
 * what Postgres and logs must never see: `plain-text` (no control character, no lone surrogate) and
 * `email` (ours, which is also plain text).
 */
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });
ajv.addFormat('plain-text', { type: 'string', validate: isPlainText });
ajv.addFormat('email', { type: 'string', validate: isEmail });
ajv.addFormat('password', { type: 'string', validate: isPlainText });

function describe(e: ErrorObject): IdentityError {
  if (e.keyword === 'required') {
    const param = String(e.params.missingProperty);
    return IdentityError.invalid(`Missing required parameter: '${param}'`, param);
  }
  if (e.keyword === 'additionalProperties') {
    const param = String(e.params.additionalProperty);
    return IdentityError.invalid(`Unknown parameter: '${param.length > 64 ? `${param.slice(0, 64)}…` : param}'`, param.slice(0, 64));
  }
  const param = e.instancePath.split('/').filter(Boolean).join('.') || '(body)';
  if (e.keyword === 'enum') return IdentityError.invalid(`Invalid value for '${param}': expected one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`, param);
  if (e.keyword === 'format') return IdentityError.invalid(`Invalid '${param}': not a valid ${String(e.params.format)} (control characters are not allowed)`, param);
  return IdentityError.invalid(`Invalid '${param}': ${e.message ?? 'invalid value'}`, param);
}

/** A function that returns the body typed as `T`, or throws a 400 naming the first bad field. */
export function bodyValidator<T>(schema: Record<string, unknown>): (body: unknown) => T {
  const validate = ajv.compile(schema) as ValidateFunction<T>;
  return (body: unknown): T => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw IdentityError.invalid('The request body must be a JSON object', '(body)');
    if (validate(body)) return body;
    throw describe(validate.errors![0]);
  };
}
