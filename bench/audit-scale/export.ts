import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DataSource } from 'typeorm';
import type { ExportRun } from './export-child';

const run = promisify(execFile);

/** `[from, to)` holding the `rows` events of `org` that end 1,000 events before its head (seq is dense per org). */
async function rangeOf(ds: DataSource, org: string, orgRows: number, rows: number): Promise<{ from: string; to: string; rows: number }> {
  const last = Math.max(2, orgRows - 1_000);
  const n = Math.min(rows, last - 1);
  const at = async (seq: number) => {
    const [r] = await ds.query<Array<{ t: Date }>>(`SELECT created_at AS t FROM audit_event WHERE org_id = $1 AND seq = $2`, [org, seq]);
    return r.t.toISOString();
  };
  return { from: await at(last - n), to: await at(last), rows: n };
}

/** Each size × format in its own process (see export-child.ts), one after the other. */
export async function runExports(ds: DataSource, url: string, org: string, orgRows: number, sizes: number[], log: (m: string) => void): Promise<ExportRun[]> {
  const out: ExportRun[] = [];
  for (const size of sizes) {
    const r = await rangeOf(ds, org, orgRows, size);
    for (const format of ['jsonl', 'csv'] as const) {
      log(`export ${format}: ${r.rows.toLocaleString('en-US')} rows (${r.from} .. ${r.to})`);
      const { stdout } = await run(process.execPath, [join(__dirname, 'export-child.js'), JSON.stringify({ url, org, format, from: r.from, to: r.to })], {
        maxBuffer: 1024 * 1024,
        timeout: 3_600_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as ExportRun;
      if (result.rows !== r.rows) log(`  warning: exported ${result.rows} rows, expected ${r.rows}`);
      log(`  ${result.rowsPerSecond.toLocaleString('en-US')} rows/s, RSS ${result.rssStartMb} → max ${result.rssMaxMb} → ${result.rssEndMb} MB`);
      out.push(result);
    }
  }
  return out;
}
