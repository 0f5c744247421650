/**
 * Text normalisation before any matching: Unicode NFKC, with zero-width, bidi-control and other invisible
 * format characters removed, so `ｃｏｍｐｅｔｉｔｏｒ`, `comp\u200Betitor` and `com\u202Epetitor` read as what a human
 * sees. Case folding is the matcher's job (detectors need case: secrets are case-sensitive).
 *
 * Every finding is reported in the caller's original text, so the normalised text keeps a map back. Text whose
 * clusters are all already in NFKC (ASCII, most accented prose) is returned as is, with no map. Otherwise the map
 * is a sorted list of edits (one per changed cluster); positions between edits shift by a constant.
 */

/** Removed before matching: ZWSP/ZWNJ/ZWJ/WJ, soft hyphen, BOM, bidi embeddings/overrides/isolates, LRM/RLM/ALM, invisible operators, variation selectors, tag characters. */
// The class lists combining and joiner characters on purpose, each escaped: they are what it removes.
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|\uDB40[\uDC00-\uDDEF]/g;
// eslint-disable-next-line no-control-regex -- the range starts at NUL by definition of ASCII
const NON_ASCII = /[^\x00-\x7F]/g;
/** A combining mark (or a Hangul vowel/final jamo) joins the cluster before it; NFKC composes within clusters. */
const JOINS = /^[\p{M}\u1160-\u11FF]/u;

/** One changed cluster: original `[origStart, origEnd)` became normalised `[normStart, normEnd)`. */
interface Edit {
  origStart: number;
  origEnd: number;
  normStart: number;
  normEnd: number;
}

export interface NormalizedText {
  /** What detectors and matchers read. */
  text: string;
  /** Changed clusters in order; empty when `text` is the original. */
  edits: readonly Edit[];
  originalLength: number;
}

/** Normalises `original` (never throws: lone surrogates and NULs pass through as themselves). */
export function normalizeText(original: string): NormalizedText {
  const edits: Edit[] = [];
  let out = '';
  let copied = 0; // original text up to here is already in `out`
  NON_ASCII.lastIndex = 0;
  for (let m = NON_ASCII.exec(original); m; m = NON_ASCII.exec(original)) {
    let start = m.index;
    if (start < copied) continue; // inside a cluster already handled
    // A combining mark after an ASCII letter belongs to that letter's cluster (`e\u0301` → `é`).
    if (start > copied && JOINS.test(original.slice(start, start + 2))) start--;
    const end = nextCluster(original, start);
    NON_ASCII.lastIndex = end;
    const cluster = original.slice(start, end);
    const norm = normalizedCluster(cluster);
    if (norm === cluster) continue;
    out += original.slice(copied, start);
    edits.push({ origStart: start, origEnd: end, normStart: out.length, normEnd: out.length + norm.length });
    out += norm;
    copied = end;
  }
  if (edits.length === 0) return { text: original, edits, originalLength: original.length };
  out += original.slice(copied);
  return { text: out, edits, originalLength: original.length };
}

/** The original range of the normalised range `[start, end)` (end > start); a range touching a changed cluster covers all of it. */
export function toOriginalSpan(n: NormalizedText, start: number, end: number): { start: number; end: number } {
  if (n.edits.length === 0) return { start, end };
  return { start: toOriginal(n.edits, start, false), end: toOriginal(n.edits, end - 1, true) };
}

/** Original offset of normalised unit `x`: its cluster's start (or end, for the last unit of a range). */
function toOriginal(edits: readonly Edit[], x: number, asEnd: boolean): number {
  let lo = 0;
  let hi = edits.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (edits[mid].normStart <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Edits that normalised to nothing (invisible characters) share a normStart with the next unit: skip past them.
  while (found >= 0 && edits[found].normEnd <= x && found + 1 < edits.length && edits[found + 1].normStart <= x) found++;
  if (found < 0) return asEnd ? x + 1 : x;
  const e = edits[found];
  if (x < e.normEnd) return asEnd ? e.origEnd : e.origStart;
  const orig = e.origEnd + (x - e.normEnd);
  return asEnd ? orig + 1 : orig;
}

const clusterCache = new Map<string, string>();

/** NFKC of a cluster without invisible characters; short clusters (most of real text) are cached. */
function normalizedCluster(cluster: string): string {
  const hit = clusterCache.get(cluster);
  if (hit !== undefined) return hit;
  let norm = safeNfkc(cluster);
  INVISIBLE.lastIndex = 0;
  if (INVISIBLE.test(norm)) norm = norm.replace(INVISIBLE, '');
  if (cluster.length <= 2 && clusterCache.size < 16_384) clusterCache.set(cluster, norm);
  return norm;
}

/** NFKC of a cluster; a lone surrogate (which `normalize` keeps) or any engine oddity leaves it unchanged. */
function safeNfkc(s: string): string {
  try {
    return s.normalize('NFKC');
  } catch {
    return s;
  }
}

/** End of the cluster starting at `i`: one code point, plus any combining marks after it (bounded, so a 1 MiB run of marks stays linear). */
function nextCluster(s: string, i: number): number {
  i += codePointLength(s, i);
  let marks = 0;
  while (i < s.length && marks < 32) {
    const cpLen = codePointLength(s, i);
    if (!JOINS.test(s.slice(i, i + cpLen))) break;
    i += cpLen;
    marks++;
  }
  return i;
}

function codePointLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}
