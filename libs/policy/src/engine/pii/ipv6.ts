/**
 * A hand-written IPv6 text parser (RFC 4291 §2.2 forms: full, `::`-compressed, trailing dotted IPv4). The engine
 * may not import `node:net` (its `isIPv6` would do): the policy engine is pure by rule, so it can run anywhere the
 * gateway's policy code runs (workers, the browser-side policy editor's preview) and stays free of I/O modules.
 */

/** Whether `s` is a dotted-quad IPv4 address with octets 0–255 and no leading zeros (`01` is octal to some parsers). */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 48)) return false;
    for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) < 48 || p.charCodeAt(i) > 57) return false;
    if (Number(p) > 255) return false;
  }
  return true;
}

/**
 * Whether `s` is an IPv6 address, leaving out two forms that are almost never addresses in prose: `::` alone, and
 * compressed forms with one or two explicit groups of one or two hex digits each (`a::b`, `ab::cd`: C++ and Rust
 * paths), except the loopback `::1`.
 */
export function isIPv6(s: string): boolean {
  if (s.length < 3 || s.length > 45) return false;
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return false; // two `::` (or `:::`)
  const head = dbl === -1 ? s : s.slice(0, dbl);
  const tail = dbl === -1 ? '' : s.slice(dbl + 2);
  const groups = [...(head === '' ? [] : head.split(':')), ...(tail === '' ? [] : tail.split(':'))];
  let count = 0;
  let wide = false;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    if (group.includes('.')) {
      if (g !== groups.length - 1 || (dbl !== -1 && tail === '') || !isIPv4(group)) return false;
      count += 2;
      wide = true;
      continue;
    }
    if (group.length === 0 || group.length > 4) return false;
    for (let i = 0; i < group.length; i++) if (!hexCode(group.charCodeAt(i))) return false;
    if (group.length >= 3) wide = true;
    count++;
  }
  if (dbl === -1) return count === 8;
  if (count > 7 || count === 0) return false;
  return wide || count >= 3 || s === '::1';
}

/** Whether the address (valid IPv6) is link-local, `fe80::/10`: the only kind that carries a `%zone`. */
export function isLinkLocal(s: string): boolean {
  const first = s.slice(0, s.indexOf(':')).toLowerCase();
  return first.length === 4 && first.startsWith('fe') && '89ab'.includes(first[2]);
}

function hexCode(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}
