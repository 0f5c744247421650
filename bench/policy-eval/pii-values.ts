import { B64, B64URL, BASE62, HEX, type Rng } from './pii-rng';

/** One generated value and the name of the format it was written in (for per-format recall). */
export interface Value {
  value: string;
  format: string;
}
export type Gen = (r: Rng) => Value;

const v = (value: string, format: string): Value => ({ value, format });
const FIRST = ['john', 'maria', 'wei', 'fatima', 'lars', 'ana', 'olu', 'priya', 'jürgen', 'chloé', 'sam', 'kenji'];
const LAST = ['smith', 'garcia', 'chen', 'khan', 'nielsen', 'rossi', 'adeyemi', 'patel', 'müller', 'dubois', 'lee', 'tanaka'];
const DOMAINS = ['example.com', 'acme-corp.io', 'mail.example.org', 'gmail.com', 'outlook.de', 'uni-heidelberg.de', 'company.co.uk', 'startup.technology', 'xn--bcher-kva.de', 'bücher.de', 'correo.es', 'sub.dept.bigco.net'];
const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace('ß', 'ss');

export const EMAILS: Gen[] = [
  (r) => v(`${ascii(r.pick(FIRST))}.${ascii(r.pick(LAST))}@${r.pick(DOMAINS)}`, 'first.last'),
  (r) => v(`${ascii(r.pick(FIRST))}+${r.pick(['news', 'work', 'x1'])}@${r.pick(DOMAINS)}`, 'plus tag'),
  (r) => v(`${ascii(r.pick(FIRST))}${r.range(1, 99)}@${r.pick(DOMAINS)}`, 'digits'),
  (r) => v(`${ascii(r.pick(FIRST))}_${ascii(r.pick(LAST))}@${r.pick(DOMAINS)}`, 'underscore'),
  (r) => v(`${r.pick(FIRST)[0].toUpperCase()}.${ascii(r.pick(LAST)).toUpperCase()}@${r.pick(DOMAINS).toUpperCase()}`, 'upper case'),
  (r) => v(`${r.pick(FIRST)}@${r.pick(['bücher.de', '例え.jp', 'почта.рф', 'müller-gmbh.at'])}`, 'unicode'),
  (r) => v(`${r.pick(['ops', 'security', 'no-reply', 'a'])}@${r.pick(['ex.co', 'x.ai', 'corp.internal.example.com', 'shop.xn--p1ai'])}`, 'short/odd tld'),
];

// --- phones: plausible allocated ranges, random subscriber digits (not all will be valid numbers) ---
const US_AREAS = ['212', '213', '303', '305', '312', '415', '510', '512', '617', '646', '702', '718', '206', '404', '503', '602', '713', '214', '408', '919'];
const exch = (r: Rng): string => {
  for (;;) {
    const e = `${r.range(2, 9)}${r.digits(2)}`;
    if (e.slice(1) !== '11') return e;
  }
};
export const PHONES: Gen[] = [
  (r) => v(`(${r.pick(US_AREAS)}) ${exch(r)}-${r.digits(4)}`, 'US (415) 555-2671'),
  (r) => v(`${r.pick(US_AREAS)}-${exch(r)}-${r.digits(4)}`, 'US dashed'),
  (r) => v(`${r.pick(US_AREAS)}.${exch(r)}.${r.digits(4)}`, 'US dotted'),
  (r) => v(`${r.pick(US_AREAS)} ${exch(r)} ${r.digits(4)}`, 'US spaced'),
  (r) => v(`1-${r.pick(US_AREAS)}-${exch(r)}-${r.digits(4)}`, 'US 1-dashed'),
  (r) => v(`+1 ${r.pick(US_AREAS)} ${exch(r)} ${r.digits(4)}`, 'E.164 US spaced'),
  (r) => v(`+1 (${r.pick(US_AREAS)}) ${exch(r)}-${r.digits(4)}`, 'E.164 US parens'),
  (r) => v(`+1${r.pick(US_AREAS)}${exch(r)}${r.digits(4)}`, 'E.164 compact'),
  (r) => v(`020 ${r.pick(['7', '3', '8'])}${r.digits(3)} ${r.digits(4)}`, 'UK London national'),
  (r) => v(`07${r.range(4, 9)}${r.digits(2)} ${r.digits(6)}`, 'UK mobile national'),
  (r) => v(`0161 ${r.range(2, 9)}${r.digits(2)} ${r.digits(4)}`, 'UK Manchester national'),
  (r) => v(`+44 20 ${r.pick(['7', '3'])}${r.digits(3)} ${r.digits(4)}`, 'E.164 UK'),
  (r) => v(`+44 (0)20 ${r.pick(['7', '3'])}${r.digits(3)} ${r.digits(4)}`, 'E.164 UK (0)'),
  (r) => v(`+44 7${r.range(4, 9)}${r.digits(2)} ${r.digits(6)}`, 'E.164 UK mobile'),
  (r) => v(`030 ${r.range(2, 9)}${r.digits(7)}`, 'DE Berlin national'),
  (r) => v(`030/${r.range(2, 9)}${r.digits(7)}`, 'DE slash'),
  (r) => v(`089 ${r.range(2, 9)}${r.digits(6)}`, 'DE Munich national'),
  (r) => v(`015${r.pick(['1', '2', '7'])} ${r.digits(8)}`, 'DE mobile national'),
  (r) => v(`+49 30 ${r.range(2, 9)}${r.digits(7)}`, 'E.164 DE'),
  (r) => v(`0049 30 ${r.range(2, 9)}${r.digits(7)}`, 'DE 0049'),
  (r) => v(`01 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`, 'FR national'),
  (r) => v(`06.${r.digits(2)}.${r.digits(2)}.${r.digits(2)}.${r.digits(2)}`, 'FR dotted mobile'),
  (r) => v(`+33 ${r.pick(['1', '6', '7'])} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`, 'E.164 FR'),
  (r) => v(`+81 3-${r.range(1, 9)}${r.digits(3)}-${r.digits(4)}`, 'E.164 JP'),
  (r) => v(`+91 9${r.digits(4)} ${r.digits(5)}`, 'E.164 IN'),
  (r) => v(r.chance(0.5) ? `+61 ${r.pick(['2 9', '3 9'])}${r.digits(3)} ${r.digits(4)}` : `+61 4${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`, 'E.164 AU'),
  (r) => v(`+34 6${r.digits(2)} ${r.digits(3)} ${r.digits(3)}`, 'E.164 ES'),
  (r) => v(`+39 06 ${r.digits(4)} ${r.digits(4)}`, 'E.164 IT'),
  (r) => v(`+55 11 9${r.digits(4)}-${r.digits(4)}`, 'E.164 BR'),
  (r) => v(`+86 13${r.digits(1)} ${r.digits(4)} ${r.digits(4)}`, 'E.164 CN'),
];

const ssnParts = (r: Rng): [string, string, string] => {
  let area = r.range(1, 899);
  if (area === 666) area = 667;
  return [String(area).padStart(3, '0'), String(r.range(1, 99)).padStart(2, '0'), String(r.range(1, 9999)).padStart(4, '0')];
};
export const SSNS: Gen[] = [
  (r) => v(ssnParts(r).join('-'), 'dashed'),
  (r) => v(ssnParts(r).join(' '), 'spaced'),
  (r) => v(ssnParts(r).join(''), 'bare after context'),
];

export function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = body.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = Number(body[i]) * (dbl ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
export const cardNumber = (r: Rng, prefix: string, length: number): string => luhnComplete(prefix + r.digits(length - prefix.length - 1));
const group = (digits: string, sizes: number[], sep: string): string => {
  const parts: string[] = [];
  let i = 0;
  for (const n of sizes) parts.push(digits.slice(i, (i += n)));
  if (i < digits.length) parts.push(digits.slice(i));
  return parts.filter(Boolean).join(sep);
};
const BRANDS: [string, (r: Rng) => string, number, number[]][] = [
  ['Visa 16', () => '4', 16, [4, 4, 4, 4]],
  ['Visa 13', () => '4', 13, [4, 4, 5]],
  ['Visa 19', () => '4', 19, [4, 4, 4, 4, 3]],
  ['Mastercard 5x', (r) => String(r.range(51, 55)), 16, [4, 4, 4, 4]],
  ['Mastercard 2x', (r) => String(r.range(2221, 2720)), 16, [4, 4, 4, 4]],
  ['Amex', (r) => r.pick(['34', '37']), 15, [4, 6, 5]],
  ['Discover', (r) => r.pick(['6011', '65', String(r.range(644, 649))]), 16, [4, 4, 4, 4]],
  ['JCB', (r) => String(r.range(3528, 3589)), 16, [4, 4, 4, 4]],
  ['Diners 14', (r) => r.pick(['36', '38', String(r.range(300, 305))]), 14, [4, 6, 4]],
  ['UnionPay', () => '62', 16, [4, 4, 4, 4]],
  ['UnionPay 19', () => '62', 19, [6, 13]],
  ['Maestro', (r) => r.pick(['6759', '5018', '6304']), 16, [4, 4, 4, 4]],
];
export const CARDS: Gen[] = BRANDS.map(([name, prefix, length, sizes]) => (r: Rng) => {
  const n = cardNumber(r, prefix(r), length);
  const style = r.int(3);
  return v(style === 0 ? n : group(n, sizes, style === 1 ? ' ' : '-'), `${name} ${['compact', 'spaced', 'dashed'][style]}`);
});

// --- IBANs: BBAN layouts per country (n digits, a upper letters, c alphanumerics) ---
const BBAN: Readonly<Record<string, string>> = {
  DE: '18n', GB: '4a14n', FR: '10n11c2n', ES: '20n', IT: '1a10n12c', NL: '4a10n', BE: '12n', CH: '5n12c', AT: '16n', PL: '24n',
  SE: '20n', NO: '11n', DK: '14n', FI: '14n', PT: '21n', IE: '4a14n', LU: '3n13c', IS: '22n', MT: '4a5n18c', SA: '2n18c',
  TR: '5n1c16c', BR: '23n1a1c', CZ: '20n', HU: '24n', RO: '4a16c', GR: '7n16c', HR: '17n', SI: '15n', SK: '20n', EE: '16n',
  LT: '16n', LV: '4a13c', CY: '8n16c', BG: '4a6n8c', AE: '19n', QA: '4a21c', IL: '19n', KW: '4a22c', MC: '10n11c2n', LI: '5n12c',
};
export const IBAN_COUNTRIES = Object.keys(BBAN);
export function ibanCheck(cc: string, bban: string): string {
  const s = bban + cc + '00';
  let rem = 0;
  for (const ch of s) rem = /\d/.test(ch) ? (rem * 10 + Number(ch)) % 97 : (rem * 100 + ch.charCodeAt(0) - 55) % 97;
  return String(98 - rem).padStart(2, '0');
}
export function ibanCompact(r: Rng, cc: string): string {
  let bban = '';
  for (const [, n, kind] of BBAN[cc].matchAll(/(\d+)([nac])/g)) {
    bban += r.chars(kind === 'n' ? '0123456789' : kind === 'a' ? 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' : '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', Number(n));
  }
  return cc + ibanCheck(cc, bban) + bban;
}
export const printIban = (s: string): string => s.replace(/(.{4})(?=.)/g, '$1 ');
export const IBANS: Gen[] = [
  (r) => v(printIban(ibanCompact(r, r.pick(IBAN_COUNTRIES))), 'grouped'),
  (r) => v(ibanCompact(r, r.pick(IBAN_COUNTRIES)), 'compact'),
  (r) => v(printIban(ibanCompact(r, r.pick(IBAN_COUNTRIES))).toLowerCase(), 'grouped lower case'),
];

const octet = (r: Rng): number => r.int(256);
const hexGroup = (r: Rng): string => r.chars(HEX, r.range(1, 4));
export const IPS: Gen[] = [
  (r) => v(`${r.range(1, 223)}.${octet(r)}.${octet(r)}.${octet(r)}`, 'v4 public'),
  (r) => v(r.pick([`10.${octet(r)}.${octet(r)}.${octet(r)}`, `192.168.${octet(r)}.${r.range(1, 254)}`, `172.${r.range(16, 31)}.${octet(r)}.${octet(r)}`]), 'v4 private'),
  (r) => v(Array.from({ length: 8 }, () => r.chars(HEX, 4)).join(':'), 'v6 full'),
  (r) => v(`2001:db8:${hexGroup(r)}::${hexGroup(r)}`, 'v6 compressed'),
  (r) => v(`${r.pick(['2606:4700', '2a00:1450', '2001:4860'])}:${hexGroup(r)}::${r.chars(HEX, 3)}`, 'v6 compressed'),
  (r) => v(`fe80::${r.chars(HEX, 4)}:${r.chars(HEX, 4)}:${hexGroup(r)}:${hexGroup(r)}${r.pick(['%eth0', '%en0', '%3', ''])}`, 'v6 link-local'),
  (r) => v(`::ffff:${r.range(1, 223)}.${octet(r)}.${octet(r)}.${octet(r)}`, 'v6 mapped v4'),
  (r) => v(`2001:DB8:${r.chars('0123456789ABCDEF', 4)}::${r.chars('0123456789ABCDEF', 2)}`, 'v6 upper case'),
  () => v('::1', 'v6 loopback'),
];

const b64body = (r: Rng, lines: number): string => Array.from({ length: lines }, (_, i) => r.chars(B64, i === lines - 1 ? r.range(8, 60) : 64)).join('\n');
const b64url = (s: string): string => Buffer.from(s).toString('base64url');
export function jwt(r: Rng): string {
  const header = r.pick([{ alg: 'HS256', typ: 'JWT' }, { alg: 'RS256', typ: 'JWT', kid: r.chars(HEX, 8) }, { typ: 'JWT', alg: 'ES256' }]);
  const payload = { sub: r.digits(8), name: r.pick(FIRST), iat: 1700000000 + r.int(1e7), ...(r.chance(0.5) ? { role: 'admin' } : {}) };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${r.chars(B64URL, header.alg === 'HS256' ? 43 : 86)}`;
}
export const SECRETS: Gen[] = [
  (r) => v(`sk-${r.chars(BASE62, 48)}`, 'sk- legacy'),
  (r) => v(`sk-proj-${r.chars(B64URL, r.range(100, 156))}`, 'sk-proj-'),
  (r) => v(`sk-ant-api03-${r.chars(B64URL, 93)}AA`, 'sk-ant-'),
  (r) => v(`ak_${r.chars(BASE62, r.range(24, 40))}`, 'ak_'),
  (r) => v(`${r.pick(['AKIA', 'ASIA'])}${r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 15)}${r.range(2, 7)}`, 'AWS key id'),
  (r) => v(`${r.pick(['ghp', 'gho', 'ghu', 'ghs', 'ghr'])}_${r.chars(BASE62, 36)}`, 'GitHub token'),
  (r) => v(`github_pat_${r.chars(BASE62, 22)}_${r.chars(BASE62, 59)}`, 'GitHub fine-grained'),
  (r) => v(`${r.pick(['xoxb', 'xoxp', 'xoxa'])}-${r.digits(12)}-${r.digits(13)}-${r.chars(BASE62, 24)}`, 'Slack token'),
  (r) => v(`glpat-${r.chars(B64URL, 20)}`, 'GitLab PAT'),
  (r) => v(`${r.pick(['sk', 'rk'])}_live_${r.chars(BASE62, r.pick([24, 99]))}`, 'Stripe live'),
  (r) => v(`AIza${r.chars(B64URL, 35)}`, 'Google API key'),
  (r) => v(jwt(r), 'JWT'),
  (r) => {
    const label = r.pick(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
    return v(`-----BEGIN ${label}-----\n${b64body(r, r.range(3, 25))}\n-----END ${label}-----`, 'PEM block');
  },
  (r) => v(`-----BEGIN RSA PRIVATE KEY-----\n${b64body(r, r.range(3, 8))}`, 'PEM truncated (no END)'),
];
