import type { PlanSummary } from './explain';
import type { VariantResult } from './index-variants';

/** `Index Scan Backward on pkey ×4` → `IdxScanBwd pkey×4`: plan shapes short enough for a table cell. */
const short = (p: PlanSummary) =>
  [...p.nodes, ...(p.seqScans.length ? [`SEQ SCAN×${p.seqScans.length}`] : [])]
    .filter((n) => !/^(Limit|Append|Merge Append|Result|Gather)$/.test(n) && !n.startsWith('Seq Scan'))
    .map((n) => n.replace('Index Scan Backward', 'IdxBwd').replace('Index Scan', 'Idx').replace('Bitmap Heap Scan', 'BHS')
      .replace('Bitmap Index Scan', 'BIS').replace(/ on bench_variant_\d/, '').replace(/ on /, ' ').replace(' ×', '×'))
    .join(' + ');
const ms = (p: PlanSummary) => (p.executionMs >= 100 ? p.executionMs.toFixed(0) : p.executionMs.toFixed(1));

/** One row per variant: bytes/row, build, warm ms of each case (custom plan), and the generic plan of the rare value. */
export function renderVariants(results: VariantResult[]): string {
  const names = results[0]?.cases.map((c) => c.case) ?? [];
  const lines = [
    `| filter | index | B/row | build s | ${names.map((n) => `${n} ms`).join(' | ')} | generic: rare ms | generic plans |`,
    `|${' --- |'.repeat(6 + names.length)}`,
  ];
  for (const r of results) {
    const rare = r.cases[0].generic;
    const genericOk = r.family !== 'none'
      ? r.cases.map((c) => `${c.case}: ${short(c.generic!)}${c.generic!.isGeneric ? '' : ' (NOT generic)'}`).join('; ')
      : '–';
    lines.push(`| ${r.filter} | ${r.family} | ${Math.round(r.bytesPerRow)} | ${(r.buildMs / 1000).toFixed(1)} | ${r.cases.map((c) => ms(c.warm)).join(' | ')} | ${rare ? ms(rare) : '–'} | ${genericOk} |`);
  }
  lines.push('', 'Plans (warm, custom plan; Limit/Append and Seq Scans of empty months left out):');
  for (const r of results) {for (const c of r.cases) {
    lines.push(`- ${r.filter} / ${r.family} / ${c.case} (${c.orgMatches} rows in org): ${short(c.warm)}; ${c.warm.rowsExamined} rows examined, ${c.warm.sharedHit + c.warm.sharedRead} buffers, 1st run ${ms(c.first)} ms`);
  }}
  return lines.join('\n');
}
