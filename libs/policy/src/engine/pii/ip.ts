import { isIPv4, isIPv6, isLinkLocal } from './ipv6';
import { type ScanContext, gluedAfter, gluedBefore, isDigit, isHex, isWordChar } from './text';
import type { Span } from '../types';

/** Longest IPv6 text worth parsing (45 is the longest address, e.g. with a trailing dotted quad). */
const MAX_V6 = 45;
/** A word right before a dotted quad that makes it a version or a section number (`version 4.3.2.1`, `§ 8.1.2.2`). */
const VERSION_WORD = /(?:^|[^a-z])(?:v|ver|version|build|release|firmware|fw|rev|revision|section|sec|chapter|clause|§)[ .:]*$/;

/**
 * IPv4 and IPv6 addresses. v4: four dotted octets 0–255, no leading zeros, not part of a longer dotted run
 * (`1.2.3.4.5`, `10.0.19045.1234`) and not a version (`v1.2.3.4`). v6: runs of hex digits and colons around each
 * `:` (found by `indexOf`), validated by {@link isIPv6}; `%zone` kept on link-local addresses. The dotted quad at
 * the end of `::ffff:1.2.3.4` is also an IPv4 match; the caller keeps the longer of two overlapping spans.
 */
export function detectIps(ctx: ScanContext): Span[] {
  return [...detectV4(ctx), ...detectV6(ctx.text)];
}

function detectV4(ctx: ScanContext): Span[] {
  const { text, runs } = ctx;
  const out: Span[] = [];
  for (let k = 0; k < runs.starts.length; k++) {
    // The dotted run starting at k: runs joined by single dots.
    let m = k;
    while (m + 1 < runs.starts.length && runs.starts[m + 1] === runs.ends[m] + 1 && text.charCodeAt(runs.ends[m]) === 46) m++;
    const start = runs.starts[k];
    const end = runs.ends[m];
    const first = k;
    k = m;
    if (m - first !== 3) continue; // not exactly four numbers
    if (gluedBefore(text, start)) continue; // `v1.2.3.4`, `section-8.1.2.2`, `x.1.2.3.4`
    if ((gluedAfter(text, end) && !cidrAfter(text, end)) || !isIPv4(text.slice(start, end))) continue;
    if (VERSION_WORD.test(text.slice(Math.max(0, start - 12), start).toLowerCase())) continue;
    out.push({ start, end });
  }
  return out;
}

function detectV6(text: string): Span[] {
  const out: Span[] = [];
  let from = 0;
  for (let p = text.indexOf(':'); p !== -1; p = text.indexOf(':', Math.max(p + 1, from))) {
    if (p < from) continue;
    let a = p;
    while (a > 0 && p - a <= MAX_V6 && (isHex(text.charCodeAt(a - 1)) || text.charCodeAt(a - 1) === 58)) a--;
    let b = p;
    while (b < text.length && (isHex(text.charCodeAt(b)) || text.charCodeAt(b) === 58 || text.charCodeAt(b) === 46)) b++;
    from = b; // the next candidate starts after this run, so a long run of `::` is read once
    while (b > a && text.charCodeAt(b - 1) === 46) b--; // a sentence's full stop
    if (b - a > 2 && text.charCodeAt(b - 1) === 58 && text.charCodeAt(b - 2) !== 58) b--; // `fe80::1:` (a colon after)
    if (b - a > MAX_V6 || (a > 0 && (isWordChar(text.charCodeAt(a - 1)) || text.charCodeAt(a - 1) === 58))) continue;
    const addr = text.slice(a, b);
    if (!isIPv6(addr)) continue;
    if (text.charCodeAt(b) === 37 && isLinkLocal(addr)) b = zoneEnd(text, b + 1, b);
    if (b < text.length && (isWordChar(text.charCodeAt(b)) || (text.charCodeAt(b) === 46 && isDigit(text.charCodeAt(b + 1))))) continue;
    out.push({ start: a, end: b });
  }
  return out;
}

/** A CIDR prefix length after the address (`10.0.0.0/8`): the address is still one, the `/8` is not part of it. */
function cidrAfter(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 47 || !isDigit(text.charCodeAt(i + 1))) return false;
  const j = isDigit(text.charCodeAt(i + 2)) ? i + 3 : i + 2;
  return j >= text.length || !isWordChar(text.charCodeAt(j));
}

/** End of a `%zone` (interface name or index) starting at `i`, or `fallback` when there is none. */
function zoneEnd(text: string, i: number, fallback: number): number {
  let j = i;
  while (j < text.length && j - i < 32 && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 45 || text.charCodeAt(j) === 46)) j++;
  while (j > i && text.charCodeAt(j - 1) === 46) j--;
  return j > i ? j : fallback;
}
