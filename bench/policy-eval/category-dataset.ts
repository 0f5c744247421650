/**
 * A seeded synthetic labelled set for the category classifiers: per category, clear positives expanded from
 * templates (category-templates.ts); benign hard negatives (technical, medical, historical, news, fiction, idiom)
 * and plain business text, all labelled "no category". Usage:
 * `node dist/bench/policy-eval/category-dataset.js [--seed=N] [--per=N]` prints the set as JSON.
 */
import { CATEGORIES, type Category } from '@gw/policy';
import { BUSINESS, HARD_NEGATIVES, POSITIVE_TEMPLATES, type TemplateSet } from './category-templates';
import { Rng } from './pii-rng';

export interface LabelledText {
  text: string;
  /** Categories a correct classifier must flag (empty for negatives). */
  gold: Category[];
  /** Further categories it may flag without a false positive (parents and overlapping categories). */
  accept: Category[];
  /** `positive:<category>` or `negative:<kind>`. */
  kind: string;
}

export const DEFAULT_SEED = 20261209;

/**
 * The eval's labelling rule: a positive of a category also counts the categories it implies (the spec's parent
 * categories) as gold, and tolerates overlapping ones (a violent threat against "you" is also harassment).
 */
const IMPLIES: Partial<Record<Category, Category[]>> = {
  'sexual/minors': ['sexual'],
  'hate/threatening': ['hate'],
  'harassment/threatening': ['harassment'],
  'self-harm/intent': ['self-harm'],
  'self-harm/instructions': ['self-harm'],
  'violence/graphic': ['violence'],
  'illicit/violent': ['illicit'],
  'weapons/creation': ['illicit/violent', 'illicit'],
  'explosives/creation': ['illicit/violent', 'illicit'],
  'drugs/synthesis': ['illicit'],
  'malware/creation': ['illicit'],
};
const TOLERATES: Partial<Record<Category, Category[]>> = {
  violence: ['illicit/violent', 'illicit', 'harassment/threatening', 'harassment'],
  'illicit/violent': ['violence', 'weapons/creation'],
  'hate/threatening': ['violence', 'illicit/violent', 'illicit'],
  'harassment/threatening': ['violence'],
  'self-harm/intent': ['self-harm/instructions'],
  'self-harm/instructions': ['self-harm/intent'],
  'violence/graphic': ['illicit/violent', 'illicit'],
  'weapons/creation': ['explosives/creation'],
  'explosives/creation': ['weapons/creation'],
  illicit: ['illicit/violent', 'drugs/synthesis', 'malware/creation', 'violence'],
  'sexual/minors': ['illicit'],
  hate: ['harassment'],
  harassment: ['hate'],
};

/** `n` distinct expansions of a template set (fewer when the set has fewer combinations). */
export function expand(set: TemplateSet, n: number, rng: Rng): string[] {
  const out = new Set<string>();
  for (let tries = 0; out.size < n && tries < n * 20; tries++) {
    const text = rng.pick(set.templates).replace(/\{(\w+)\}/g, (_, slot: string) => rng.pick(set.slots[slot] ?? ['']));
    out.add(text.replace(/\s+([.,?!])/g, '$1').replace(/\s{2,}/g, ' ').trim());
  }
  return [...out];
}

export function buildCategorySet(seed = DEFAULT_SEED, perCategory = 40): LabelledText[] {
  const rng = new Rng(seed);
  const set: LabelledText[] = [];
  for (const category of CATEGORIES) {
    const gold = [category, ...(IMPLIES[category] ?? [])];
    const accept = [...new Set([...(TOLERATES[category] ?? []), ...(TOLERATES[category] ?? []).flatMap((c) => IMPLIES[c] ?? [])])].filter((c) => !gold.includes(c));
    for (const text of expand(POSITIVE_TEMPLATES[category], perCategory, rng)) set.push({ text, gold, accept, kind: `positive:${category}` });
  }
  for (const [kind, templates] of Object.entries(HARD_NEGATIVES)) {
    for (const text of expand(templates, perCategory, rng)) set.push({ text, gold: [], accept: [], kind: `negative:${kind}` });
  }
  for (const text of expand(BUSINESS, perCategory * 5, rng)) set.push({ text, gold: [], accept: [], kind: 'negative:business' });
  return set;
}

/** Business prose of about `bytes` bytes (the speed figure's "normal traffic"). */
export function businessProse(bytes: number, seed = DEFAULT_SEED): string {
  const rng = new Rng(seed);
  let text = '';
  while (text.length < bytes) text += `${expand(BUSINESS, 1, rng)[0]} `;
  return text.slice(0, bytes);
}

if (require.main === module) {
  const arg = (name: string): number | undefined => {
    const a = process.argv.find((x) => x.startsWith(`--${name}=`));
    return a ? Number(a.split('=')[1]) : undefined;
  };
  process.stdout.write(`${JSON.stringify(buildCategorySet(arg('seed'), arg('per')), null, 1)}\n`);
}
