import Ajv, { type ErrorObject } from 'ajv';
import { validatorCompiler } from '../shared/schema-validator';

/**
 * Our own ajv instance rather than ../shared/schema-validator: Anthropic bodies are discriminated unions
 * (content blocks by `type`, messages by `role`), and ajv's `discriminator` keyword (off in the shared
 * instance) validates only the branch the tag selects, so a bad block yields one precise error instead
 * of a `oneOf` pile-up. `verbose` puts the parent schema on errors, which lists the allowed tags.
 */
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, discriminator: true, verbose: true });

/** `/messages/1/content/0` → `messages.1.content.0` (Anthropic's `loc` notation in error messages). */
export function anthropicParam(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.join('.');
}

const quoteList = (values: unknown[]): string => values.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))).join(', ');

/** The tags a discriminated `oneOf` accepts, read from its branches' `const`. */
function allowedTags(e: ErrorObject): string {
  const parent = e.parentSchema as { oneOf?: Array<{ properties?: Record<string, { const?: unknown }> }> } | undefined;
  const tag = String(e.params.tag);
  return quoteList((parent?.oneOf ?? []).map((b) => b.properties?.[tag]?.const).filter((v) => v !== undefined));
}

function describe(e: ErrorObject): { param: string; message: string } {
  const at = (param: string, text: string) => ({ param: param || '(body)', message: `${param || '(body)'}: ${text}` });
  const param = anthropicParam(e.instancePath);
  switch (e.keyword) {
    case 'required':
      return at(anthropicParam(e.instancePath, String(e.params.missingProperty)), 'Field required');
    case 'type':
      return at(param, `Input should be of type ${String(e.params.type).split(',').join(' or ')}`);
    case 'enum':
      return at(param, `Input should be one of ${quoteList(e.params.allowedValues as unknown[])}`);
    case 'const':
      return at(param, `Input should be ${quoteList([e.params.allowedValue])}`);
    case 'discriminator': {
      const tagParam = anthropicParam(e.instancePath, String(e.params.tag));
      if (e.params.error === 'tag') return at(tagParam, 'Input should be of type string');
      return at(tagParam, `Input tag ${quoteList([e.params.tagValue])} is not supported here; expected one of ${allowedTags(e)}`);
    }
    case 'minimum':
      return at(param, `Input should be greater than or equal to ${String(e.params.limit)}`);
    case 'maximum':
      return at(param, `Input should be less than or equal to ${String(e.params.limit)}`);
    case 'minItems':
      return at(param, `List should have at least ${String(e.params.limit)} item(s)`);
    case 'maxItems':
      return at(param, `List should have at most ${String(e.params.limit)} items after validation, not ${Array.isArray(e.data) ? e.data.length : '?'}`);
    case 'minLength':
      return at(param, `String should have at least ${String(e.params.limit)} character(s)`);
    case 'maxLength':
      return at(param, `String should have at most ${String(e.params.limit)} characters`);
    case 'pattern':
      return at(param, `String should match pattern '${String(e.params.pattern)}'`);
    default:
      return at(param, e.message ?? 'invalid value');
  }
}

/** Compiles a schema once; the returned function throws a 400 GatewayError whose `param` is the bad field. */
export const compileAnthropicValidator = validatorCompiler(ajv, describe);
