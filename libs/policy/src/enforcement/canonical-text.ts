import type { CanonicalMessage, CanonicalRequest, ContentPart } from '@gw/inference';
import type { TextSegment } from '../engine';

/** Where a segment's text lives in a canonical request: message, part, and (tool results) the inner text part. */
interface Located extends TextSegment {
  part: number;
  inner: number;
}

/**
 * Every text of a request the model will read, in order: system/developer/user/assistant text, tool-call
 * arguments, tool-result text. Not reasoning blocks: they are signed by the upstream and must come back verbatim,
 * so they cannot be redacted (recorded as a known gap). Images are not text.
 */
export function canonicalSegments(req: CanonicalRequest): Located[] {
  const out: Located[] = [];
  req.messages.forEach((m, messageIndex) => {
    m.content.forEach((p, part) => {
      if (p.type === 'text') out.push({ text: p.text, messageIndex, part, inner: -1 });
      else if (p.type === 'tool_call') out.push({ text: p.arguments, messageIndex, part, inner: -1 });
      else if (p.type === 'tool_result') {
        p.content.forEach((c, inner) => {
          if (c.type === 'text') out.push({ text: c.text, messageIndex, part, inner });
        });
      }
    });
  });
  return out;
}

/** The request with some segment texts replaced (copy-on-write: untouched messages are shared). */
export function withSegmentTexts(req: CanonicalRequest, segments: readonly Located[], texts: ReadonlyArray<string | null>): CanonicalRequest {
  if (texts.every((t) => t === null)) return req;
  const messages = req.messages.slice();
  segments.forEach((seg, i) => {
    const text = texts[i];
    if (text === null) return;
    const msg: CanonicalMessage = { ...messages[seg.messageIndex], content: messages[seg.messageIndex].content.slice() };
    msg.content[seg.part] = replaced(msg.content[seg.part], seg.inner, text);
    messages[seg.messageIndex] = msg;
  });
  return { ...req, messages };
}

function replaced(p: ContentPart, inner: number, text: string): ContentPart {
  switch (p.type) {
    case 'text':
      return { ...p, text };
    case 'tool_call':
      return { ...p, arguments: text };
    case 'tool_result': {
      const content = p.content.slice();
      const c = content[inner];
      if (c?.type === 'text') content[inner] = { ...c, text };
      return { ...p, content };
    }
    case 'image':
    case 'reasoning':
    case 'redacted_reasoning':
      return p;
  }
}

/** The request with a policy instruction before everything else (the `rewrite` decision). */
export function withInstruction(req: CanonicalRequest, instruction: string): CanonicalRequest {
  return { ...req, messages: [{ role: 'system', content: [{ type: 'text', text: instruction }] }, ...req.messages] };
}
