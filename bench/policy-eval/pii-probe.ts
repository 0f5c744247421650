/**
 * A false-positive probe on real text that neither the detectors' author nor the synthetic generator wrote: runs
 * detectPii over the README/CHANGELOG markdown of the installed packages (technical prose, full of version
 * numbers, dates, hashes, example addresses and keys), prints counts per type and a sample of each, for a person to
 * judge. Usage: `node dist/bench/policy-eval/pii-probe.js [--max-mb=4] [--sample=15]`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { detectPii, normalizeText, PII_TYPES, type PiiType } from '@gw/policy';

function* markdownFiles(root: string): Generator<string> {
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (name.startsWith('.') || !statSync(dir).isDirectory()) continue;
    if (name.startsWith('@')) {
      yield* markdownFiles(dir);
      continue;
    }
    for (const f of ['README.md', 'CHANGELOG.md', 'HISTORY.md']) {
      try {
        if (statSync(join(dir, f)).isFile()) yield join(dir, f);
      } catch {
        // no such file
      }
    }
  }
}

if (require.main === module) {
  const arg = (name: string, d: number): number => Number(process.argv.find((x) => x.startsWith(`--${name}=`))?.split('=')[1] ?? d);
  const maxChars = arg('max-mb', 4) * 1024 * 1024;
  const sampleSize = arg('sample', 15);
  const found = new Map<PiiType, string[]>(PII_TYPES.map((t) => [t, []]));
  let chars = 0;
  let files = 0;
  const t0 = performance.now();
  let scanMs = 0;
  for (const file of markdownFiles(join(__dirname, '../../../node_modules'))) {
    if (chars >= maxChars) break;
    const text = normalizeText(readFileSync(file, 'utf8').slice(0, maxChars - chars)).text;
    chars += text.length;
    files++;
    const s = performance.now();
    const matches = detectPii(text);
    scanMs += performance.now() - s;
    for (const m of matches) found.get(m.type)!.push(`${file.split('node_modules/')[1]}: ${text.slice(m.start, m.end).slice(0, 70).replace(/\n/g, '⏎')}`);
  }
  process.stdout.write(`${files} files, ${(chars / 1024 / 1024).toFixed(2)} MiB, detectPii ${scanMs.toFixed(0)} ms (total ${(performance.now() - t0).toFixed(0)} ms)\n`);
  for (const [type, hits] of found) {
    process.stdout.write(`\n${type}: ${hits.length}\n`);
    const step = Math.max(1, Math.floor(hits.length / sampleSize));
    for (let i = 0; i < hits.length && i / step < sampleSize; i += step) process.stdout.write(`  ${hits[i]}\n`);
  }
}
