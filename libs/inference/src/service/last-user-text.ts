/** The prompt text a request's digest is fed. */
import type { CanonicalRequest } from '../canonical/canonical-request';

/** The text of the last user message (its text parts joined by newlines): what `prompt_hmac` digests. */
export function lastUserText(request: CanonicalRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m.role === 'user') return m.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
  }
  return '';
}
