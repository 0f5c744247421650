import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeJsonSchema, UnsupportedSchemaError } from './json-schema-sanitizer';

void describe('sanitizeJsonSchema', () => {
  void it('keeps a plain object schema and drops validation-only keywords', () => {
    const out = sanitizeJsonSchema({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      title: 'Args',
      properties: { city: { type: 'string', pattern: '^[A-Z]', maxLength: 40 }, days: { type: 'integer', minimum: 1 } },
      required: ['city'],
      additionalProperties: false,
    });
    assert.deepEqual(out, {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 40 }, days: { type: 'integer' } },
    });
  });

  void it('maps anyOf to oneOf, definitions to $defs, and merges allOf objects', () => {
    const out = sanitizeJsonSchema({
      definitions: { unit: { enum: ['c', 'f'] } },
      allOf: [{ type: 'object', properties: { a: { anyOf: [{ type: 'string' }, { type: 'null' }] } } }, { properties: { u: { $ref: '#/definitions/unit' } } }],
    });
    assert.deepEqual(out, {
      $defs: { unit: { enum: ['c', 'f'] } },
      type: 'object',
      properties: { a: { oneOf: [{ type: 'string' }, { type: 'null' }] }, u: { $ref: '#/$defs/unit' } },
    });
  });

  void it('treats {} as any JSON and a property-less object as free-form', () => {
    assert.ok('oneOf' in sanitizeJsonSchema({}));
    assert.deepEqual(sanitizeJsonSchema({ type: 'object' }), { type: 'object', additionalProperties: true });
    assert.deepEqual(sanitizeJsonSchema({ type: ['string', 'null'] }), { type: ['string', 'null'] });
  });

  void it('rejects what a grammar cannot express', () => {
    assert.throws(() => sanitizeJsonSchema({ $ref: 'https://example.com/schema.json' }), UnsupportedSchemaError);
    assert.throws(() => sanitizeJsonSchema({ allOf: [{ type: 'string' }, { type: 'number' }] }), UnsupportedSchemaError);
    assert.throws(() => sanitizeJsonSchema({ type: 'date' }), UnsupportedSchemaError);
    assert.throws(() => sanitizeJsonSchema('nope'), UnsupportedSchemaError);
  });
});
