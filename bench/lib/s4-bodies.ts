/**
 * Request bodies of the S4 ladder (performance.md §6.3 "large-body variants"): a small chat body (~350 B) and
 * 8 KB / 64 KB prompt bodies, for each of the three generation surfaces. The prompt is prose with what real
 * prompts carry and the pre-scan has to judge: `\n` and `\"` escapes, non-ASCII letters (raw UTF-8), and a
 * `\u00e9`-style escape now and then (Python clients escape every non-ASCII character).
 */

export type BodySize = 'small' | '8k' | '64k';
export type Surface = 'chat' | 'responses' | 'messages';

export const BODY_SIZES: readonly BodySize[] = ['small', '8k', '64k'];
export const SURFACES: readonly Surface[] = ['chat', 'responses', 'messages'];

const PARAGRAPH = [
  'The quarterly report covers revenue, churn and the \\"enterprise\\" pipeline across all regions.',
  'Summarise the risks for the board in plain language; keep numbers exact (e.g. 12.5 % and 3,400 seats).',
  'Café owners in Zürich and São Paulo asked about data residency — answer them in the appendix.',
  'Escaped by some clients: na\\u00efve r\\u00e9sum\\u00e9 \\u2014 keep these as they are.',
].join('\\n');

/** Prompt text whose JSON encoding is at most `bytes` of UTF-8 (already JSON-escaped: goes between quotes as is). */
function promptText(bytes: number): string {
  let out = '';
  for (let i = 0; Buffer.byteLength(out) < bytes; i++) out += `${i > 0 ? '\\n\\n' : ''}Section ${i + 1}.\\n${PARAGRAPH}`;
  // Cut at a space: escapes hold none, so the text never ends inside one.
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, out.lastIndexOf(' '));
  return out;
}

const SYSTEM = 'You are a careful assistant for a finance team. Answer briefly.';

/** One body as raw JSON text (the prompt is spliced in pre-escaped, so the text is exactly what is sent). */
export function bodyText(surface: Surface, size: BodySize, model: string): string {
  const small = size === 'small';
  const user = small ? 'Say hello in one short sentence, then list the colours of the rainbow in order, each with one thing of that colour.' : promptText(size === '8k' ? 8 * 1024 : 64 * 1024);
  const prompt = `"${user}"`;
  const m = JSON.stringify(model);
  const sys = JSON.stringify(SYSTEM);
  switch (surface) {
    case 'chat':
      return `{"model":${m},"messages":[{"role":"system","content":${sys}},{"role":"user","content":${prompt}}],"max_tokens":64,"temperature":0.2,"user":"bench-user-0001"}`;
    case 'responses':
      return `{"model":${m},"instructions":${sys},"input":[{"role":"user","content":${prompt}}],"max_output_tokens":64,"temperature":0.2}`;
    case 'messages':
      return `{"model":${m},"system":${sys},"messages":[{"role":"user","content":${prompt}}],"max_tokens":64,"temperature":0.2}`;
  }
}
