import type { PiiType } from './types';

/**
 * Typed, numbered placeholders for one request (`[EMAIL_1]`, `[CREDIT_CARD_2]`): the same value always gets
 * the same placeholder, across every message of the input and the output, so a model (and a reader) can still
 * tell two different cards apart. "Same value" ignores formatting: `4111 1111 1111 1111` and `4111111111111111`
 * are one card, `Bob@Example.com` and `bob@example.com` one address.
 */
export class Redactor {
  private readonly byValue = new Map<string, string>();
  private readonly next = new Map<PiiType, number>();
  /** Values replaced, per type (each occurrence counts). */
  readonly counts: Partial<Record<PiiType, number>> = {};

  placeholder(type: PiiType, value: string): string {
    const key = `${type}\u0000${canonical(type, value)}`;
    let p = this.byValue.get(key);
    if (!p) {
      const n = (this.next.get(type) ?? 0) + 1;
      this.next.set(type, n);
      p = `[${type}_${n}]`;
      this.byValue.set(key, p);
    }
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    return p;
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + (b ?? 0), 0);
  }
}

function canonical(type: PiiType, value: string): string {
  switch (type) {
    case 'CREDIT_CARD':
    case 'US_SSN':
      return value.replace(/\D/g, '');
    case 'PHONE':
      return value.replace(/[^\d+]/g, '');
    case 'IBAN':
      return value.replace(/\s/g, '').toUpperCase();
    case 'EMAIL':
    case 'IP_ADDRESS':
      return value.toLowerCase();
    case 'SECRET':
      return value;
  }
}

/** Replaces `spans` (sorted, non-overlapping, in `text`'s offsets) with their placeholders. */
export function applyRedactions(text: string, spans: ReadonlyArray<{ start: number; end: number; placeholder: string }>): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.placeholder;
    at = s.end;
  }
  return out + text.slice(at);
}
