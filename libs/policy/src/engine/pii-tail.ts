/** Where a streamed output's trailing text may still grow into a PII value, so the scanner holds it back. */

/**
 * Start of the trailing text that may still grow into a PII value: the last unfinished word, extended back over
 * digit groups joined by single separators (`4111 1111 `, `+44 20 `), so a card or phone split across deltas is
 * seen whole.
 */
export function piiTail(text: string): number {
  let i = text.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  const isDigitish = (c: string | undefined) => c !== undefined && /[0-9()+]/.test(c);
  // A trailing space after a group of digits (`4111 `, `(415) `, `555-2671 `): the number may go on. Not after a
  // word that merely ends in digits (`tok000 `, `v2 `): no card, phone or IBAN group looks like that.
  if (i > 1 && isSpace(text[i - 1]) && /[0-9)]/.test(text[i - 2])) {
    let w = i - 1;
    while (w > 0 && !isSpace(text[w - 1])) w--;
    if (/^[0-9()+.-]+$/.test(text.slice(w, i - 1)) || /^[A-Z]{2}[0-9]{2}$/.test(text.slice(w, i - 1))) i--;
  }
  for (let guard = 0; guard < 64 && i > 0; guard++) {
    let j = i;
    while (j > 0 && !isSpace(text[j - 1])) j--;
    if (j === i && i < text.length) break;
    i = j;
    if (i >= 2 && isSpace(text[i - 1]) && !isSpace(text[i - 2]) && isDigitish(text[i - 2]) && isDigitish(text[i])) i--;
    else break;
  }
  return i;
}
