/**
 * Turns a caller's JSON Schema into the subset node-llama-cpp's grammar generator understands
 * (`GbnfJsonSchema`), or throws {@link UnsupportedSchemaError} when it cannot be expressed faithfully.
 *
 * - `anyOf` becomes `oneOf`; `allOf` of object schemas is merged; `definitions` become `$defs`.
 * - Validation-only keywords the grammar cannot enforce (pattern, minimum, unknown formats...) are dropped:
 *   the grammar is then looser than the schema, never stricter.
 * - A node with no type at all (`{}`) accepts any JSON value; an object with no `properties` accepts any keys.
 * - node-llama-cpp emits every declared property (it treats them all as required).
 */
export class UnsupportedSchemaError extends Error {}

type Schema = Record<string, unknown>;

const PRIMITIVE_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const GRAMMAR_FORMATS = new Set(['date-time', 'time', 'date']);
const ANY_JSON: Schema = {
  oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'object', additionalProperties: true }, { type: 'array' }],
};

export function sanitizeJsonSchema(schema: unknown): Schema {
  return sanitize(schema, 0);
}

function sanitize(input: unknown, depth: number): Schema {
  if (input === true) return ANY_JSON;
  if (!isSchema(input)) throw new UnsupportedSchemaError('schema node is not an object');
  if (depth > 64) throw new UnsupportedSchemaError('schema nests too deeply');
  const node = mergeAllOf(input);
  const out: Schema = {};
  if (typeof node.description === 'string') out.description = node.description;
  const defs = node.$defs ?? node.definitions;
  if (defs !== undefined) out.$defs = mapValues(defs, (d) => sanitize(d, depth + 1));

  if (typeof node.$ref === 'string') {
    const m = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(node.$ref);
    if (!m) throw new UnsupportedSchemaError(`unsupported $ref ${node.$ref}`);
    return { ...out, $ref: `#/$defs/${m[1]}` };
  }
  if ('const' in node) return { ...out, const: literal(node.const) };
  if (Array.isArray(node.enum)) return { ...out, enum: node.enum.map(literal) };
  const alternatives = node.oneOf ?? node.anyOf;
  if (Array.isArray(alternatives) && alternatives.length > 0 && alternatives.every(hasShape)) {
    return { ...out, oneOf: alternatives.map((alt) => sanitize(alt, depth + 1)) };
  }

  const type = node.type;
  if (type === undefined) {
    if (isSchema(node.properties)) return sanitizeTyped({ ...node, type: 'object' }, out, depth);
    if (node.items !== undefined) return sanitizeTyped({ ...node, type: 'array' }, out, depth);
    return { ...out, ...ANY_JSON };
  }
  if (Array.isArray(type)) {
    if (type.length === 0) throw new UnsupportedSchemaError('empty type list');
    if (type.every((t) => typeof t === 'string' && PRIMITIVE_TYPES.has(t))) return { ...out, type };
    return { ...out, oneOf: type.map((t) => sanitizeTyped({ ...node, type: t }, {}, depth)) };
  }
  return sanitizeTyped(node, out, depth);
}

function sanitizeTyped(node: Schema, out: Schema, depth: number): Schema {
  switch (node.type) {
    case 'object': {
      const props = isSchema(node.properties) ? mapValues(node.properties, (p) => sanitize(p, depth + 1)) : undefined;
      const res: Schema = { ...out, type: 'object' };
      if (props && Object.keys(props).length > 0) res.properties = props;
      const additional = node.additionalProperties;
      if (isSchema(additional)) res.additionalProperties = sanitize(additional, depth + 1);
      else if (additional === true || (additional === undefined && !res.properties)) res.additionalProperties = true;
      copyNumbers(node, res, ['minProperties', 'maxProperties']);
      return res;
    }
    case 'array': {
      const res: Schema = { ...out, type: 'array' };
      if (node.items !== undefined && node.items !== true) res.items = sanitize(node.items, depth + 1);
      if (Array.isArray(node.prefixItems)) res.prefixItems = node.prefixItems.map((p) => sanitize(p, depth + 1));
      copyNumbers(node, res, ['minItems', 'maxItems']);
      return res;
    }
    case 'string': {
      if (typeof node.format === 'string' && GRAMMAR_FORMATS.has(node.format)) return { ...out, type: 'string', format: node.format };
      const res: Schema = { ...out, type: 'string' };
      copyNumbers(node, res, ['minLength', 'maxLength']);
      return res;
    }
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return { ...out, type: node.type };
    default:
      throw new UnsupportedSchemaError(`unsupported type ${String(node.type)}`);
  }
}

/** `allOf` members are folded into the node when they are (untyped or object) schemas. */
function mergeAllOf(node: Schema): Schema {
  if (!Array.isArray(node.allOf)) return node;
  const { allOf, ...rest } = node;
  let merged: Schema = rest;
  for (const part of allOf) {
    if (!isSchema(part)) throw new UnsupportedSchemaError('allOf member is not a schema');
    const member = mergeAllOf(part);
    if (member.type !== undefined && member.type !== 'object') {
      if (allOf.length === 1 && rest.type === undefined) return { ...rest, ...member };
      throw new UnsupportedSchemaError('allOf of non-object schemas');
    }
    merged = {
      ...merged,
      ...member,
      properties: { ...asSchema(merged.properties), ...asSchema(member.properties) },
      required: [...asArray(merged.required), ...asArray(member.required)],
    };
  }
  return merged;
}

/** Whether an alternative describes a value by itself (not just `required: [...]` next to a sibling type). */
function hasShape(alt: unknown): boolean {
  if (!isSchema(alt)) return false;
  return ['type', 'const', 'enum', '$ref', 'properties', 'items', 'oneOf', 'anyOf', 'allOf'].some((k) => k in alt);
}

function literal(value: unknown): string | number | boolean | null {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value as string | number | boolean | null;
  throw new UnsupportedSchemaError('const/enum values must be primitives');
}

function copyNumbers(from: Schema, to: Schema, keys: string[]): void {
  for (const key of keys) if (typeof from[key] === 'number' && Number.isInteger(from[key])) to[key] = from[key];
}

function mapValues(obj: unknown, fn: (v: unknown) => Schema): Schema {
  if (!isSchema(obj)) throw new UnsupportedSchemaError('expected an object of schemas');
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const asSchema = (v: unknown): Schema => (isSchema(v) ? v : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
