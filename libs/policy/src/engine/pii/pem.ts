import type { Span } from '../types';

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
/** How far after its BEGIN line a private key's END line is looked for. */
const MAX_BLOCK = 16384;
const MAX_LABEL = 48;

/**
 * PEM private-key blocks (`-----BEGIN RSA PRIVATE KEY-----` … `-----END RSA PRIVATE KEY-----`, also EC, OPENSSH,
 * ENCRYPTED, PKCS#8 and PGP's `PRIVATE KEY BLOCK`), the whole block as one span. Public keys and certificates are
 * not secrets and are skipped. A BEGIN with no END within 16 KB (a truncated paste) spans to the end of its
 * base64 body.
 *
 * END markers are listed once per text and walked with one pointer, so a text of BEGIN lines without any END
 * (the hostile case) costs one pass, not one search to the end of the text per BEGIN.
 */
export class PemScanner {
  private ends?: number[];
  private next = 0;

  constructor(private readonly text: string) {}

  /** The private-key block whose BEGIN marker is at `i`, or null. */
  blockAt(i: number): Span | null {
    const text = this.text;
    let j = i + BEGIN.length;
    while (j < text.length && j - i - BEGIN.length < MAX_LABEL && isLabelChar(text.charCodeAt(j))) j++;
    const label = text.slice(i + BEGIN.length, j);
    if (!text.startsWith(DASHES, j) || !privateLabel(label)) return null;
    const headerEnd = j + DASHES.length;
    const end = this.endMarker(headerEnd);
    return { start: i, end: end >= 0 ? end : bodyEnd(text, headerEnd) };
  }

  /** End of the first private-key END line within {@link MAX_BLOCK} after `from`, or -1. */
  private endMarker(from: number): number {
    const ends = (this.ends ??= listEnds(this.text));
    while (this.next < ends.length && ends[this.next] < from) this.next++;
    for (let e = this.next; e < ends.length && ends[e] - from <= MAX_BLOCK; e++) {
      let j = ends[e] + END.length;
      while (j < this.text.length && j - ends[e] - END.length < MAX_LABEL && isLabelChar(this.text.charCodeAt(j))) j++;
      if (this.text.startsWith(DASHES, j) && privateLabel(this.text.slice(ends[e] + END.length, j))) return j + DASHES.length;
    }
    return -1;
  }
}

function listEnds(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(END); i !== -1; i = text.indexOf(END, i + END.length)) out.push(i);
  return out;
}

const isLabelChar = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32;
const privateLabel = (label: string): boolean => label.endsWith('PRIVATE KEY') || label.endsWith('PRIVATE KEY BLOCK');
const isB64 = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * End of the base64 body after a BEGIN line with no END: whitespace-separated base64 tokens of at least 16
 * characters (or `=`-padded), so a following sentence is not swallowed. The header alone when there is no body.
 */
function bodyEnd(text: string, from: number): number {
  let end = from;
  let i = from;
  while (i < text.length && i - from < MAX_BLOCK) {
    let j = i;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    let k = j;
    while (k < text.length && k - j < MAX_BLOCK && isB64(text.charCodeAt(k))) k++;
    if (k === j || (k < text.length && !isSpace(text.charCodeAt(k)))) break;
    if (k - j < 16 && text.charCodeAt(k - 1) !== 61) break;
    end = k;
    i = k;
  }
  return end;
}
