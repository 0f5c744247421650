/**
 * Texts of a simulation body, in the caller's own surface shape (chat `messages`, Anthropic `messages` +
 * `system`, Responses `input` + `instructions`), each with a setter that writes a redacted copy back into a
 * clone of the body. `message_index` is the index in the caller's array (-1: the top-level system/instructions);
 * offsets are into that one text (a message with several text parts yields one segment per part).
 */
export interface WireText {
  messageIndex: number;
  text: string;
  /** Role of the message ('system' for the top-level instructions). */
  role: string;
  set(text: string): void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Collects the texts of one message's `content` (string, or parts/blocks with text, tool results, tool inputs). */
function contentTexts(holder: Obj, key: string, messageIndex: number, role: string, out: WireText[]): void {
  const c = holder[key];
  if (typeof c === 'string') {
    out.push({ messageIndex, role, text: c, set: (t) => (holder[key] = t) });
    return;
  }
  if (!Array.isArray(c)) return;
  c.forEach((part) => {
    if (!isObj(part)) return;
    if (typeof part.text === 'string') out.push({ messageIndex, role, text: part.text, set: (t) => (part.text = t) });
    if (part.type === 'tool_result') contentTexts(part, 'content', messageIndex, 'tool', out);
    if (part.type === 'tool_use' && isObj(part.input)) {
      const json = JSON.stringify(part.input);
      out.push({ messageIndex, role, text: json, set: (t) => (part.input = safeParse(t, part.input)) });
    }
    if (typeof part.output === 'string') out.push({ messageIndex, role, text: part.output, set: (t) => (part.output = t) });
  });
}

function safeParse(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** Texts of a (cloned) simulation body; mutating through `set` edits that clone. */
export function wireTexts(body: Obj): WireText[] {
  const out: WireText[] = [];
  for (const key of ['system', 'instructions']) if (key in body) contentTexts(body, key, -1, 'system', out);
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : null;
  if (!list && typeof body.input === 'string') contentTexts(body, 'input', 0, 'user', out);
  list?.forEach((m: unknown, i: number) => {
    if (!isObj(m)) return;
    const role = typeof m.role === 'string' ? m.role : m.type === 'function_call_output' ? 'tool' : 'assistant';
    contentTexts(m, 'content', i, role, out);
    if (Array.isArray(m.tool_calls)) {
      for (const tc of m.tool_calls) {
        const fn = isObj(tc) && isObj(tc.function) ? tc.function : null;
        if (fn && typeof fn.arguments === 'string') out.push({ messageIndex: i, role, text: fn.arguments, set: (t) => (fn.arguments = t) });
      }
    }
    if (typeof m.arguments === 'string') out.push({ messageIndex: i, role, text: m.arguments, set: (t) => (m.arguments = t) });
    if (typeof m.output === 'string') out.push({ messageIndex: i, role: 'tool', text: m.output, set: (t) => (m.output = t) });
  });
  return out;
}
