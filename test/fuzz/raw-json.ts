/**
 * JSON with holes for text `JSON.stringify` cannot produce: numerals past double precision (2^53+1 stays
 * `9007199254740993` on the wire), 10,000-level nesting (built as text, so the generator needs no deep
 * recursion itself), invalid UTF-8. A {@link Raw} leaf is written verbatim in place of its value.
 */
export class Raw {
  constructor(readonly text: string) {}
}

const TOKEN = (i: number): string => `\u0001raw${i}\u0001`;

/** Serialises `value` (which may hold {@link Raw} leaves anywhere) to JSON text. */
export function serialise(value: unknown): string {
  const holes: string[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      holes.push(v.text);
      return TOKEN(holes.length - 1);
    }
    return v;
  });
  if (holes.length === 0) return json;
  // The token's control bytes are escaped by JSON.stringify as \u0001, so search for the escaped form.
  return json.replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => holes[Number(i)]);
}

/** `[[[…]]]` or `{"a":{"a":…}}` of `depth` levels, as text. */
export function deepNest(depth: number, kind: 'array' | 'object'): Raw {
  return kind === 'array' ? new Raw('['.repeat(depth) + ']'.repeat(depth)) : new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}

/** A JSON schema nested through `properties` `depth` times (the shape tool parameters take). */
export function deepSchema(depth: number): Raw {
  const open = '{"type":"object","properties":{"p":';
  return new Raw(open.repeat(depth) + '{"type":"string"}' + '}}'.repeat(depth));
}
