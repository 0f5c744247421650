/** Where in a JSON body a structural limit was broken: the 400 that names it, and the path in each protocol's notation. */

export type JsonPath = Array<string | number>;
export type JsonLimitReason = 'depth' | 'array_items' | 'values' | 'nul' | 'lone_surrogate';

/** A 400 naming where in the body a limit was broken; each app renders `path` in its own notation. */
export class JsonLimitError extends Error {
  readonly statusCode = 400;
  readonly code = 'invalid_value';

  constructor(
    readonly reason: JsonLimitReason,
    /** Where: the body itself is `[]`. */
    readonly path: JsonPath,
    /** What, without the field: `is nested deeper than 64 levels`. */
    readonly problem: string,
  ) {
    super(`Invalid value for '${formatJsonPath(path, 'openai') || '(body)'}': ${problem}.`);
    this.name = 'JsonLimitError';
  }
}

/** Keys are caller-chosen: escaped (NUL, lone surrogates, quotes become `\u…` / `\"`) and shortened for messages. */
function displayKey(key: string): string {
  const escaped = JSON.stringify(key).slice(1, -1);
  return escaped.length > 64 ? `${escaped.slice(0, 61)}...` : escaped;
}

/**
 * A path in a protocol's notation: `openai` is OpenAI's `param` (`messages[0].content`), `dotted` is
 * Anthropic's location (`messages.0.content`). The body itself is the empty string.
 */
export function formatJsonPath(path: JsonPath, style: 'openai' | 'dotted'): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += style === 'openai' ? `[${part}]` : out ? `.${part}` : String(part);
    else out += out ? `.${displayKey(part)}` : displayKey(part);
  }
  return out;
}
