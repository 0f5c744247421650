/**
 * A seeded synthetic PII data set: short messages of prose with PII values of every detector type in many formats
 * (gold spans) and labelled negatives (near-misses every validator must reject, and hard negatives such as order
 * numbers, dates and timestamps). Method as in docs/pii-library-evaluation.md; formats deliberately broader than
 * the detectors' unit tests. Usage: `node dist/bench/policy-eval/pii-dataset.js [--seed=N] [--messages=N]` prints
 * the set as JSON.
 */
import { PII_TYPES, type PiiType } from '@gw/policy';
import { HARD_NEGATIVES, NEAR_MISSES } from './pii-negatives';
import { Rng } from './pii-rng';
import { CARDS, EMAILS, IBANS, IPS, PHONES, SECRETS, SSNS, type Gen } from './pii-values';

export interface GoldSpan {
  type: PiiType;
  start: number;
  end: number;
  format: string;
}
export interface NegativeSpan {
  kind: string;
  start: number;
  end: number;
}
export interface Message {
  text: string;
  gold: GoldSpan[];
  negatives: NegativeSpan[];
}

export const DEFAULT_SEED = 20261209;
const POSITIVES: Readonly<Record<PiiType, Gen[]>> = { EMAIL: EMAILS, PHONE: PHONES, US_SSN: SSNS, CREDIT_CARD: CARDS, IBAN: IBANS, IP_ADDRESS: IPS, SECRET: SECRETS };

/** Where a value sits: `{}` is the value. Several put it first or last, so text edges are covered. */
const CONTEXT: Readonly<Record<PiiType, string[]>> = {
  EMAIL: ['Email me at {}', 'You can reach {} for details', 'cc: {}', 'Contact: <{}>', 'send the report to {}', 'mailto:{}', '{} wrote:', 'reply to "{}"', '{}'],
  PHONE: ['call me on {}', 'my number is {}', 'Tel: {}', 'phone {} (mobile)', 'reach the desk at {}', 'tel:{}', 'Ring {} after 5pm', '{} is the hotline', 'Fax {}'],
  US_SSN: ['SSN: {}', 'my social security number is {}', 'SSN {}', 'ssn={}', 'Social Security No. {}'],
  CREDIT_CARD: ['card {}', 'Card number: {}', 'charge it to {} exp 12/27', 'my visa is {}', 'cc#{}', 'pay with {}, CVV on the back', '{}'],
  IBAN: ['IBAN: {}', 'wire it to {}', 'account {} (BIC DEUTDEFF)', 'iban={}', 'Bankverbindung: {}', '{}'],
  IP_ADDRESS: ['from {}', 'server at {}', 'ssh root@{}', 'client IP {}', 'host={}', 'ping {}', 'allow {} in the firewall', '{}'],
  SECRET: ['OPENAI_API_KEY={}', 'token: {}', '"api_key": "{}"', 'Authorization: Bearer {}', 'here is my key {}', 'export TOKEN={}', '```\n{}\n```'],
};
const BARE_SSN_CONTEXT = ['SSN: {}', 'my social security number is {}', 'SSN {}', 'ssn={}'];
const NEGATIVE_CONTEXT = ['ref {}', 'see {}', 'id: {}', '({})', '{}', 'on {}', 'number {}', 'value {} here', 'Note {}'];
const PUNCT = ['', '', '.', ',', ';', '!', '?', ':'];
const FILLER = [
  'Thanks for the quick turnaround on this.', 'We met at 10:30 and agreed on the plan.', 'The Q3 numbers came in 4.5% above forecast.',
  'Can you look at the attached draft before Friday?', 'Our team grew from 12 to 19 people in 2024.', 'Ping me on Slack @dana if anything breaks.',
  'The build took 3m 12s on the new runners.', 'Section 2.3 covers the retention policy.', 'See RFC 5321 for the details.',
  'Please keep the meeting under 30 minutes.', 'Room 4.12 is booked from 2-3pm.', 'Let me know if you need anything else!',
  "I'll be out of office until the 14th.", 'The doc is at https://wiki.example.com/page/1234.', 'Price went from $19.99 to $24.99.',
  'Use Node 20.19 or later.', 'Step 1: install the CLI. Step 2: log in.', 'Temperatures hit 31°C yesterday.',
  'Ratio was 3:2 in favour of the new design.', 'The office is on the 3rd floor, desk 42.', 'Chapter 7, pages 120-135.',
  'Je vous remercie pour votre réponse rapide.', 'Vielen Dank für die schnelle Antwort.', 'ご確認よろしくお願いします。',
];

/** The data set for `seed`: `messages` messages, each with one to three labelled items and some filler prose. */
export function generateDataset(seed = DEFAULT_SEED, messages = 700): Message[] {
  const r = new Rng(seed);
  const out: Message[] = [];
  for (let i = 0; i < messages; i++) out.push(message(r));
  return out;
}

function message(r: Rng): Message {
  const m: Message = { text: '', gold: [], negatives: [] };
  const parts = r.int(3);
  const items = r.range(1, 3);
  const slots = [...Array.from({ length: parts }, () => -1), ...Array.from({ length: items }, (_, i) => i)];
  for (let i = slots.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [slots[i], slots[j]] = [slots[j], slots[i]];
  }
  for (const slot of slots) {
    if (m.text) m.text += r.chance(0.2) ? '\n' : ' ';
    if (slot < 0) m.text += r.pick(FILLER);
    else if (r.chance(0.62)) positive(r, m);
    else negative(r, m);
  }
  return m;
}

function positive(r: Rng, m: Message): void {
  const type = r.pick(PII_TYPES);
  const { value, format } = r.pick(POSITIVES[type])(r);
  let ctx = r.pick(format === 'bare after context' ? BARE_SSN_CONTEXT : CONTEXT[type]);
  if (type === 'IP_ADDRESS' && value.includes(':') && r.chance(0.3)) ctx = 'listen on [{}]:443';
  const at = place(r, m, ctx, value, type === 'SECRET');
  m.gold.push({ type, start: at, end: at + value.length, format });
}

function negative(r: Rng, m: Message): void {
  const gens = r.chance(0.5) ? HARD_NEGATIVES : NEAR_MISSES[r.pick(Object.keys(NEAR_MISSES))];
  const { value, format } = r.pick(gens)(r);
  const at = place(r, m, r.pick(NEGATIVE_CONTEXT), value, false);
  m.negatives.push({ kind: format, start: at, end: at + value.length });
}

/** Appends `ctx` with `value` in it (plus sentence punctuation) and returns where the value starts. */
function place(r: Rng, m: Message, ctx: string, value: string, multiline: boolean): number {
  const [before, after] = ctx.split('{}');
  const start = m.text.length + before.length;
  m.text += before + value + after + (after === '' && !multiline ? r.pick(PUNCT) : '');
  return start;
}

if (require.main === module) {
  const arg = (name: string): number | undefined => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split('=')[1]) : undefined;
  };
  process.stdout.write(JSON.stringify(generateDataset(arg('seed'), arg('messages')), null, 1) + '\n');
}
