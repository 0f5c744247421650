/** A term's tokens (folded text and seeded hash) as the matcher compares them, and the hash the scan shares. */
import { CharClass, charClass, foldCodePoint, foldString } from './fold';
import { normalizeText } from './normalize';

export interface TermToken {
  folded: string;
  hash: number;
}

export const PRIME = 16777619;

/** Tokens a term has after normalisation (0: the term is empty or invisible, and must be refused). */
export function termTokenCount(term: string): number {
  return tokenizeTerm(term, 0).length;
}

export function hashCp(h: number, cp: number): number {
  if (cp < 128) return Math.imul(h ^ (cp >= 65 && cp <= 90 ? cp + 32 : cp), PRIME);
  const f = foldCodePoint(cp);
  for (let k = 0; k < f.length; k++) h = Math.imul(h ^ f.charCodeAt(k), PRIME);
  return h;
}

export function tokenizeTerm(term: string, seed: number): TermToken[] {
  const text = normalizeText(term).text;
  const out: TermToken[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const cls = charClass(cp);
    if (cls === CharClass.Space) {
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    i += cp > 0xffff ? 2 : 1;
    if (cls === CharClass.Word) while (i < text.length && charClass(text.codePointAt(i)!) === CharClass.Word) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    const raw = text.slice(start, i);
    let h = seed;
    for (let k = 0; k < raw.length; ) {
      const c = raw.codePointAt(k)!;
      h = hashCp(h, c);
      k += c > 0xffff ? 2 : 1;
    }
    out.push({ folded: foldString(raw), hash: h });
  }
  return out;
}

export function hasCollision(terms: readonly string[], seed: number): boolean {
  const seen = new Map<number, string>();
  for (const term of terms) {
    for (const t of tokenizeTerm(term, seed)) {
      const key = t.hash & 0x1fffffff;
      const prev = seen.get(key);
      if (prev !== undefined && prev !== t.folded) return true;
      seen.set(key, t.folded);
    }
  }
  return false;
}
