import { BASE62, B64, HEX } from './pii-rng';
import { cardNumber, ibanCompact, IBAN_COUNTRIES, jwt, luhnComplete, printIban, type Gen, type Value } from './pii-values';

/**
 * Labelled negatives: text that must not be reported. Near-misses of each type (a validator must reject them) and
 * hard negatives that look like digits-with-separators but are not PII. `format` names the negative's kind.
 */
const v = (value: string, format: string): Value => ({ value, format });
const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export const NEAR_MISSES: Readonly<Record<string, Gen[]>> = {
  US_SSN: [
    (r) => v(`${r.pick(['000', '666', String(r.range(900, 999))])}-${pad(r.range(1, 99), 2)}-${pad(r.range(1, 9999), 4)}`, 'SSN bad area'),
    (r) => v(`${pad(r.range(1, 665), 3)}-00-${pad(r.range(1, 9999), 4)}`, 'SSN group 00'),
    (r) => v(`${pad(r.range(1, 665), 3)} ${pad(r.range(1, 99), 2)} 0000`, 'SSN serial 0000'),
  ],
  CREDIT_CARD: [
    (r) => {
      const n = cardNumber(r, r.pick(['4', '51', '37', '6011']), 16);
      return v(n.slice(0, 15) + String((Number(n[15]) + r.range(1, 9)) % 10), 'card Luhn-invalid');
    },
    (r) => v(printGroups(luhnComplete(r.pick(['1', '7', '8', '9']) + r.digits(14))), 'Luhn-valid, no issuer'),
    (r) => v(printGroups(cardNumber(r, '4', 16) + r.digits(4)), 'card + 4 more digits'),
  ],
  IBAN: [
    (r) => {
      const iban = ibanCompact(r, r.pick(IBAN_COUNTRIES));
      const i = r.range(8, iban.length - 1);
      const c = /\d/.test(iban[i]) ? String((Number(iban[i]) + r.range(1, 9)) % 10) : iban[i] === 'A' ? 'B' : 'A';
      return v(printIban(iban.slice(0, i) + c + iban.slice(i + 1)), 'IBAN one char changed');
    },
    (r) => v(printIban(ibanCompact(r, r.pick(IBAN_COUNTRIES)).slice(0, -1)), 'IBAN one char short'),
    (r) => v(printIban(`XQ${r.digits(2)}${r.digits(18)}`), 'IBAN unknown country'),
  ],
  IP_ADDRESS: [
    (r) => v(`${r.range(1, 9)}.${r.range(0, 20)}.${r.range(0, 20)}.${r.range(0, 20)}.${r.range(0, 9)}`, 'five-part version'),
    (r) => v(`${r.range(256, 999)}.${r.range(0, 255)}.${r.range(0, 255)}.${r.range(0, 255)}`, 'octet > 255'),
    (r) => v(`10.0.${r.range(10000, 22631)}.${r.range(100, 5000)}`, 'Windows build'),
    (r) => v(`v${r.range(1, 20)}.${r.range(0, 30)}.${r.range(0, 40)}`, 'version v9.14.24'),
    (r) => v(`192.168.0${r.range(1, 9)}.${r.range(1, 254)}`, 'leading-zero octet'),
    (r) => v(`${pad(r.range(0, 23), 2)}:${pad(r.range(0, 59), 2)}:${pad(r.range(0, 59), 2)}`, 'time'),
    (r) => v(Array.from({ length: 6 }, () => r.chars(HEX, 2)).join(':'), 'MAC address'),
    () => v('::', 'bare ::'),
    (r) => v(`${r.chars(HEX, 4)}::${r.chars(HEX, 2)}::${r.chars(HEX, 3)}`, 'two ::'),
  ],
  EMAIL: [
    (r) => v(`${r.pick(['admin', 'root', 'user'])}@localhost`, 'no TLD'),
    (r) => v(`${r.pick(['name', 'x'])}@domain.${r.pick(['c', '1', '42'])}`, 'bad TLD'),
    (r) => v(`@${r.pick(['openai', 'elonmusk', 'team_lead'])}`, 'handle'),
    (r) => v(`${r.pick(['john', 'a'])}@@example.com`, 'double @'),
    (r) => v(`user@-${r.pick(['bad', 'x'])}.com`, 'label starts with -'),
  ],
  SECRET: [
    () => v('task-force', 'task-force'),
    (r) => v(`sk-${r.range(1, 9)}`, 'sk-1'),
    () => v('sk-learn', 'sk-learn'),
    () => v('sk-this-is-not-a-real-key-at-all', 'sk- words'),
    () => v('AKIA', 'AKIA alone'),
    (r) => v(`AKIA${r.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 10)}`, 'AKIA short'),
    (r) => v(`ghp_${r.chars(BASE62, 12)}`, 'ghp_ short'),
    (r) => v(`-----BEGIN PUBLIC KEY-----\n${r.chars(B64, 64)}\n${r.chars(B64, 40)}\n-----END PUBLIC KEY-----`, 'PUBLIC KEY block'),
    (r) => v(`-----BEGIN CERTIFICATE-----\n${r.chars(B64, 64)}\n-----END CERTIFICATE-----`, 'certificate'),
    (r) => v(jwt(r).split('.')[0], 'JWT header only'),
    (r) => v(`eyJ${r.chars(BASE62, 20)}.${r.chars(BASE62, 30)}.${r.chars(BASE62, 20)}`, 'dotted base64, not a JWT'),
    () => v('xoxb-', 'xoxb- alone'),
    () => v('risk-assessment', 'risk-assessment'),
  ],
};

function printGroups(d: string): string {
  return d.replace(/(\d{4})(?=\d)/g, '$1 ');
}

export const HARD_NEGATIVES: Gen[] = [
  (r) => v(`ORD-${r.range(2019, 2026)}-${r.digits(6)}`, 'order number'),
  (r) => v(`${r.range(2, 9)}${r.digits(9)}`, 'bare 10-digit run'),
  (r) => v(`${r.range(1, 9)}${r.digits(r.range(8, 15))}`, 'bare digit run'),
  (r) => v(`${r.range(2019, 2026)}-${pad(r.range(1, 12), 2)}-${pad(r.range(1, 28), 2)}`, 'ISO date'),
  (r) => v(`${pad(r.range(1, 28), 2)}/${pad(r.range(1, 12), 2)}/${r.range(2019, 2026)}`, 'date d/m/y'),
  (r) => v(`${pad(r.range(1, 28), 2)}.${pad(r.range(1, 12), 2)}.${r.range(2019, 2026)}`, 'date d.m.y'),
  (r) => v(`${r.range(2019, 2026)}-${pad(r.range(1, 12), 2)}-${pad(r.range(1, 28), 2)}T${pad(r.range(0, 23), 2)}:${pad(r.range(0, 59), 2)}:${pad(r.range(0, 59), 2)}Z`, 'ISO timestamp'),
  (r) => v(String(1600000000 + r.int(2e8)), 'unix seconds'),
  (r) => v(String(1600000000000 + r.int(2e11)), 'unix millis'),
  (r) => v([8, 4, 4, 4, 12].map((n) => r.chars(HEX, n)).join('-'), 'UUID'),
  (r) => v(`INV ${r.digits(4)} ${r.digits(4)} ${r.digits(4)}`, 'invoice groups'),
  (r) => v(`ticket ${r.digits(3)}-${r.digits(3)}-${r.digits(3)}`, 'ticket 123-456-789'),
  (r) => v(`v${r.range(1, 9)}.${r.range(0, 30)}.${r.range(0, 99)}`, 'semver'),
  (r) => v(`$${r.range(1, 99)},${r.digits(3)}.${r.digits(2)}`, 'price'),
  (r) => v(`978-${r.range(0, 1)}-${r.digits(2)}-${r.digits(6)}-${r.range(0, 9)}`, 'ISBN'),
  (r) => v(`1Z${r.chars('0123456789ABCDEFGHJKLMNPRSTUVWXYZ', 16)}`, 'UPS tracking'),
  (r) => v(`${r.range(10000, 99999)}-${r.digits(4)}`, 'ZIP+4'),
  (r) => v(`${r.range(2000, 2020)}-${r.range(2021, 2026)}`, 'year range'),
  (r) => v(`${r.range(10, 60)}.${r.digits(4)}, -${r.range(10, 120)}.${r.digits(4)}`, 'coordinates'),
  (r) => v(r.chars(HEX, 40), 'git SHA'),
  (r) => v(`build ${r.range(2023, 2026)}${pad(r.range(1, 12), 2)}${pad(r.range(1, 28), 2)}.${r.range(1, 9)}`, 'build id'),
  (r) => v(`${pad(r.range(0, 23), 2)}:${pad(r.range(0, 59), 2)}-${pad(r.range(0, 23), 2)}:${pad(r.range(0, 59), 2)}`, 'time range'),
  (r) => v(`+${r.range(1, 40)}% vs ${r.range(2019, 2025)}`, 'percentage'),
  (r) => v(`Ref: ${r.digits(4)} ${r.digits(4)} ${r.digits(2)}`, 'reference groups'),
  (r) => v(`ACCT-${r.digits(4)}-${r.digits(4)}-${r.digits(4)}`, 'account id'),
  (r) => v(`${r.range(100, 999)} ${r.range(10, 99)} ${r.digits(3)}`, 'spaced groups 3-2-3'),
];
