/**
 * Per-category precision/recall/F1 of the built-in lexicon (`classifyText`) on the seeded synthetic set, false
 * positives per negative kind, and speed (µs per 8 KB of business prose; ms per 1 MiB of hostile text).
 * Usage: `node dist/bench/policy-eval/category-eval.js [--seed=N] [--per=N] [--misses]`. Bounded: ~2 s.
 */
import { CATEGORIES, classifyText, type Category } from '@gw/policy';
import { buildCategorySet, businessProse, DEFAULT_SEED } from './category-dataset';
import { printSpeed8k } from './category-speed';

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '—');

function main(): void {
  const arg = (name: string): number | undefined => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split('=')[1]) : undefined;
  };
  const showMisses = process.argv.includes('--misses');
  const set = buildCategorySet(arg('seed') ?? DEFAULT_SEED, arg('per') ?? 40);
  const counts = new Map<Category, Counts>(CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  const negFlagged = new Map<string, { n: number; flagged: number }>();
  for (const ex of set) {
    const got = new Set(classifyText(ex.text).map((v) => v.category));
    for (const c of CATEGORIES) {
      const k = counts.get(c)!;
      const want = ex.gold.includes(c);
      if (want && got.has(c)) k.tp++;
      else if (want) {
        k.fn++;
        if (showMisses) console.log(`MISS ${c}: ${ex.text}`);
      } else if (got.has(c) && !ex.accept.includes(c)) {
        k.fp++;
        if (showMisses) console.log(`FP   ${c}: ${ex.text}`);
      }
    }
    if (ex.kind.startsWith('negative:')) {
      const s = negFlagged.get(ex.kind) ?? { n: 0, flagged: 0 };
      s.n++;
      if (got.size > 0) s.flagged++;
      negFlagged.set(ex.kind, s);
    }
  }
  const pos = set.filter((e) => e.kind.startsWith('positive:')).length;
  console.log(`set: ${set.length} texts (${pos} positive, ${set.length - pos} negative), seed ${arg('seed') ?? DEFAULT_SEED}\n`);
  console.log('| category | P | R | F1 | TP | FP | FN |\n|---|---|---|---|---|---|---|');
  let [tp, fp, fn] = [0, 0, 0];
  for (const [c, k] of counts) {
    const p = k.tp / (k.tp + k.fp);
    const r = k.tp / (k.tp + k.fn);
    console.log(`| ${c} | ${f(p)} | ${f(r)} | ${f((2 * p * r) / (p + r))} | ${k.tp} | ${k.fp} | ${k.fn} |`);
    [tp, fp, fn] = [tp + k.tp, fp + k.fp, fn + k.fn];
  }
  const [mp, mr] = [tp / (tp + fp), tp / (tp + fn)];
  console.log(`| **micro** | ${f(mp)} | ${f(mr)} | ${f((2 * mp * mr) / (mp + mr))} | ${tp} | ${fp} | ${fn} |\n`);
  console.log('| negative kind | texts | flagged (any category) |\n|---|---|---|');
  for (const [kind, s] of negFlagged) console.log(`| ${kind.slice(9)} | ${s.n} | ${s.flagged} |`);
  speed();
}

function speed(): void {
  printSpeed8k();
  const unit = 'k1ll y0u s.u.i.c.i.d.e kiiiiiill myself how to make a bomb. you idiot!! ';
  const hostile = unit.repeat(Math.ceil((1 << 20) / unit.length));
  const big = businessProse(1 << 20);
  for (const [name, text] of [['1 MiB business prose', big], ['1 MiB cue-dense hostile text', hostile]] as const) {
    const t0 = performance.now();
    classifyText(text);
    console.log(`speed: ${name}: ${(performance.now() - t0).toFixed(0)} ms`);
  }
}

main();
