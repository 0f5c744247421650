/**
 * Scores the PII detectors on the synthetic set of pii-dataset.ts: per type TP/FP/FN, precision, recall and F1, and
 * the micro average, by span overlap with the same type (docs/pii-library-evaluation.md "Scoring"). Also reports
 * what the false positives hit and examples of misses, per format.
 * Usage: `node dist/bench/policy-eval/pii-eval.js [--seed=N] [--messages=N]`.
 */
import { detectPii, PII_TYPES, type PiiMatch, type PiiType } from '@gw/policy';
import { DEFAULT_SEED, generateDataset, type Message } from './pii-dataset';

export interface TypeScore {
  type: PiiType | 'micro';
  gold: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}
export interface Report {
  types: TypeScore[];
  micro: TypeScore;
  /** `PHONE <- ISO date` → count: what each false positive overlapped (a labelled negative, another type, or prose). */
  fpCauses: Map<string, { n: number; example: string }>;
  /** `PHONE / UK mobile national` → the missed values. */
  misses: Map<string, string[]>;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

/** Scores `detect` on `messages`. */
export function score(messages: readonly Message[], detect: (text: string) => PiiMatch[] = (t) => detectPii(t)): Report {
  const counts = new Map<PiiType, { gold: number; tp: number; fp: number }>(PII_TYPES.map((t) => [t, { gold: 0, tp: 0, fp: 0 }]));
  const fpCauses = new Map<string, { n: number; example: string }>();
  const misses = new Map<string, string[]>();
  for (const msg of messages) {
    const found = detect(msg.text);
    for (const g of msg.gold) {
      const c = counts.get(g.type)!;
      c.gold++;
      if (found.some((f) => f.type === g.type && overlaps(f, g))) c.tp++;
      else misses.set(`${g.type} / ${g.format}`, [...(misses.get(`${g.type} / ${g.format}`) ?? []), msg.text.slice(g.start, g.end)]);
    }
    for (const f of found) {
      if (msg.gold.some((g) => g.type === f.type && overlaps(f, g))) continue;
      counts.get(f.type)!.fp++;
      const neg = msg.negatives.find((n) => overlaps(f, n));
      const other = msg.gold.find((g) => overlaps(f, g));
      const key = `${f.type} <- ${neg ? neg.kind : other ? `is really ${other.type}` : 'prose'}`;
      const e = fpCauses.get(key) ?? { n: 0, example: msg.text.slice(f.start, f.end) };
      e.n++;
      fpCauses.set(key, e);
    }
  }
  const types = PII_TYPES.map((t) => row(t, counts.get(t)!));
  const sum = (k: 'gold' | 'tp' | 'fp') => types.reduce((a, t) => a + t[k], 0);
  return { types, micro: row('micro', { gold: sum('gold'), tp: sum('tp'), fp: sum('fp') }), fpCauses, misses };
}

function row(type: PiiType | 'micro', c: { gold: number; tp: number; fp: number }): TypeScore {
  const precision = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const recall = c.gold === 0 ? 1 : c.tp / c.gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { type, gold: c.gold, tp: c.tp, fp: c.fp, fn: c.gold - c.tp, precision, recall, f1 };
}

/** The report as markdown: the per-type table, then FP causes and misses. */
export function renderReport(rep: Report): string {
  const f = (x: number) => x.toFixed(3);
  const lines = ['| type | gold | TP | FP | FN | P | R | F1 |', '|---|---|---|---|---|---|---|---|'];
  for (const t of [...rep.types, rep.micro]) {
    const name = t.type === 'micro' ? '**micro**' : t.type;
    lines.push(`| ${name} | ${t.gold} | ${t.tp} | ${t.fp} | ${t.fn} | ${f(t.precision)} | ${f(t.recall)} | ${f(t.f1)} |`);
  }
  lines.push('', 'False positives by cause:');
  for (const [k, e] of [...rep.fpCauses].sort((a, b) => b[1].n - a[1].n)) lines.push(`- ${k}: ${e.n} (e.g. \`${e.example.slice(0, 60)}\`)`);
  lines.push('', 'Misses by format:');
  for (const [k, vals] of [...rep.misses].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`- ${k}: ${vals.length} (e.g. ${vals.slice(0, 3).map((x) => `\`${x.slice(0, 60).replace(/\n/g, '⏎')}\``).join(', ')})`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const arg = (name: string, d: number): number => Number(process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? d);
  const seed = arg('seed', DEFAULT_SEED);
  const messages = generateDataset(seed, arg('messages', 700));
  const gold = messages.reduce((a, m) => a + m.gold.length, 0);
  const negs = messages.reduce((a, m) => a + m.negatives.length, 0);
  const chars = messages.reduce((a, m) => a + m.text.length, 0);
  process.stdout.write(`seed ${seed}: ${messages.length} messages, ${chars} characters, ${gold} gold spans, ${negs} labelled negatives\n\n`);
  process.stdout.write(renderReport(score(messages)) + '\n');
}
