/**
 * One export in a fresh process, so its RSS is the export's alone: the control app's AuditQueryService (the code
 * behind GET /api/audit/export) streams the org's events through Readable.from into a sink that behaves like a
 * socket (it counts bytes and takes a tick per write, so backpressure works as with a client). RSS is sampled
 * every 250 ms. Skipped from the HTTP path: the auth guard, the `audit.export` admin event and Fastify's reply
 * (which pipes the same Readable into the socket).
 * Usage (spawned by s7-audit-scale): node export-child.js '<json: url, org, format, from, to>'
 */
import 'reflect-metadata';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { AuditReader } from '@gw/audit';
import { createDataSource } from '@gw/database';
import { auditQuery, AuditQueryService } from '../../apps/control/src/audit/audit-query.service';

export interface ExportRun {
  format: 'jsonl' | 'csv';
  from: string;
  to: string;
  rows: number;
  /** JSONL: checkpoint lines and the export trailer. */
  trailerLines: number;
  bytes: number;
  ms: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  rssStartMb: number;
  rssMaxMb: number;
  rssEndMb: number;
  heapMaxMb: number;
  samples: number;
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as { url: string; org: string; format: 'jsonl' | 'csv'; from: string; to: string };
  const ds = await createDataSource(a.url, 4).initialize();
  const service = new AuditQueryService(ds, new AuditReader(ds));
  const q = auditQuery({ from: a.from, to: a.to, format: a.format }, 'export');
  // Each chunk is one line (one event, CSV record, checkpoint or the export trailer): writes are not merged.
  let events = 0;
  let other = 0;
  let bytes = 0;
  const csv = a.format === 'csv';
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (csv || chunk.subarray(0, 5).toString() === '{"v":') events++;
      else other++;
      setImmediate(done);
    },
  });
  const rssStart = process.memoryUsage.rss();
  let rssMax = rssStart;
  let heapMax = process.memoryUsage().heapUsed;
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
    heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  }, 250);
  const t0 = performance.now();
  await pipeline(Readable.from(a.format === 'csv' ? service.csv(a.org, q) : service.jsonl(a.org, q)), sink);
  const ms = performance.now() - t0;
  clearInterval(timer);
  const rssEnd = process.memoryUsage.rss();
  await ds.destroy();
  const rows = csv ? events - 1 : events; // CSV: less the header
  const out: ExportRun = {
    format: a.format, from: a.from, to: a.to, rows, trailerLines: other, bytes, ms: Math.round(ms), rowsPerSecond: Math.round((rows / ms) * 1000), mbPerSecond: +((bytes / MB / ms) * 1000).toFixed(1),
    rssStartMb: +(rssStart / MB).toFixed(1), rssMaxMb: +(Math.max(rssMax, rssEnd) / MB).toFixed(1), rssEndMb: +(rssEnd / MB).toFixed(1), heapMaxMb: +(heapMax / MB).toFixed(1), samples,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[export-child] ${String(err)}\n`);
  process.exit(1);
});
