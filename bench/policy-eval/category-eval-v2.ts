/**
 * Scores `classifyText` on the frozen held-out set v2 (`--set=heldout`, default) or the tuning dev set
 * (`--set=dev`): per-category precision/recall/F1, micro, and the false-positive rate on the hard negatives
 * (a negative is a false positive when any category fires), per negative kind. `--misses` lists misses and false
 * positives; `--speed` adds µs per 8 KB of business prose. Usage: `node dist/bench/policy-eval/category-eval-v2.js`.
 */
import { CATEGORIES, classifyText, type Category } from '@gw/policy';
import { DEV_NEGATIVES, DEV_POSITIVES } from './category-dev';
import { HELDOUT_V2_NEGATIVES, HELDOUT_V2_POSITIVES, IMPLIES_V2, TOLERATES_V2 } from './category-heldout-v2';
import { printSpeed8k } from './category-speed';

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '—');

/** Gold and tolerated categories of a positive of `category` (the v2 labelling rule). */
export function labels(category: Category): { gold: Category[]; accept: Category[] } {
  const gold = [category, ...(IMPLIES_V2[category] ?? [])];
  const tol = TOLERATES_V2[category] ?? [];
  const accept = [...new Set([...tol, ...tol.flatMap((c) => IMPLIES_V2[c] ?? [])])].filter((c) => !gold.includes(c));
  return { gold, accept };
}

function main(): void {
  const dev = process.argv.includes('--set=dev');
  const showMisses = process.argv.includes('--misses');
  const positives = dev ? DEV_POSITIVES : HELDOUT_V2_POSITIVES;
  const negatives = dev ? DEV_NEGATIVES : HELDOUT_V2_NEGATIVES;
  const counts = new Map<Category, Counts>(CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
  const caught = new Map<Category, number>();
  for (const category of CATEGORIES) {
    const { gold, accept } = labels(category);
    for (const text of positives[category]) {
      const got = new Set(classifyText(text).map((v) => v.category));
      if (got.has(category)) caught.set(category, (caught.get(category) ?? 0) + 1);
      else if (showMisses) console.log(`MISS ${category}: ${text}   [got: ${[...got].join(', ')}]`);
      for (const c of CATEGORIES) {
        const k = counts.get(c)!;
        if (gold.includes(c)) {
          if (got.has(c)) k.tp++;
          else k.fn++;
        } else if (got.has(c) && !accept.includes(c)) {
          k.fp++;
          if (showMisses) console.log(`XFP  ${c} (on a ${category} positive): ${text}`);
        }
      }
    }
  }
  const kinds: string[] = [];
  let negTotal = 0;
  let negFlagged = 0;
  for (const [kind, texts] of Object.entries(negatives)) {
    let flagged = 0;
    for (const text of texts) {
      const got = classifyText(text).map((v) => v.category);
      for (const c of got) counts.get(c)!.fp++;
      if (got.length > 0) {
        flagged++;
        if (showMisses) console.log(`FP   ${got.join(', ')}: ${text}`);
      }
    }
    kinds.push(`| ${kind} | ${texts.length} | ${flagged} |`);
    negTotal += texts.length;
    negFlagged += flagged;
  }
  console.log(`\nset: ${dev ? 'dev' : 'held-out v2'}\n\n| category | P | R | F1 | own-category recall |\n|---|---|---|---|---|`);
  let [tp, fp, fn] = [0, 0, 0];
  for (const [c, k] of counts) {
    const p = k.tp / (k.tp + k.fp);
    const r = k.tp / (k.tp + k.fn);
    console.log(`| ${c} | ${f(p)} | ${f(r)} | ${f((2 * p * r) / (p + r))} | ${caught.get(c) ?? 0}/${positives[c].length} |`);
    [tp, fp, fn] = [tp + k.tp, fp + k.fp, fn + k.fn];
  }
  const [mp, mr] = [tp / (tp + fp), tp / (tp + fn)];
  const own = [...caught.values()].reduce((a, b) => a + b, 0);
  const nPos = CATEGORIES.reduce((a, c) => a + positives[c].length, 0);
  console.log(`| **micro** | ${f(mp)} | ${f(mr)} | ${f((2 * mp * mr) / (mp + mr))} | ${own}/${nPos} |\n`);
  console.log(`hard negatives flagged (any category): ${negFlagged}/${negTotal} = ${((100 * negFlagged) / negTotal).toFixed(1)}%\n`);
  console.log(`| negative kind | texts | flagged |\n|---|---|---|\n${kinds.join('\n')}`);
  if (process.argv.includes('--speed')) printSpeed8k();
}


if (require.main === module) main();
