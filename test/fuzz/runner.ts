/** Runs generated cases against a gateway with bounded concurrency and counts their audit rows afterwards. */
import { Client } from 'pg';
import { check } from './check';
import { generateCase, type FuzzCase, type GenerateOptions } from './generator';
import type { FuzzReport } from './report';
import { Sender } from './send';
import type { EndpointSpec, FuzzContext } from './types';

export interface RunOptions extends GenerateOptions {
  seed: number;
  /** Cases per endpoint; endpoints are interleaved (case i goes to endpoint i mod n). */
  casesPerEndpoint: number;
  concurrency: number;
  endpoints: EndpointSpec[];
  ctx: FuzzContext;
  origins: { inference: string; control: string };
  /** Only this case (`endpoint:index`), to rebuild a failure. */
  only?: string;
  /** Called every 10,000 cases (bench progress). */
  progress?: (done: number) => void;
}

/** Sends the cases; returns the request ids that must each have one audit row. */
export async function runCases(o: RunOptions, report: FuzzReport): Promise<string[]> {
  const audited: string[] = [];
  const sender = new Sender(o.origins, o.concurrency);
  const picks = caseList(o);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < picks.length; i = next++) {
      const [spec, index] = picks[i];
      const c = generateCase(o.seed, spec, index, o.ctx, o);
      const out = await sender.send(c);
      report.add(c, out, check(c, out));
      if (c.audited) audited.push(c.requestId);
      if (o.progress && report.cases % 10_000 === 0) o.progress(report.cases);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    await sender.close();
  }
  return audited;
}

function caseList(o: RunOptions): Array<[EndpointSpec, number]> {
  if (o.only) {
    const [name, index] = o.only.split(':');
    const spec = o.endpoints.find((e) => e.name === name);
    if (!spec || !(Number(index) >= 0)) throw new Error(`--case/FUZZ_CASE must be <endpoint>:<index> with endpoint one of ${o.endpoints.map((e) => e.name).join(', ')}`);
    return [[spec, Number(index)]];
  }
  const n = o.endpoints.length;
  return Array.from({ length: o.casesPerEndpoint * n }, (_, i) => [o.endpoints[i % n], Math.floor(i / n)] as [EndpointSpec, number]);
}

/**
 * Waits for the audit writer to drain: polls the rows of `ids` until all are there, or until the count has not
 * moved for `stallMs`. Returns how many exist and up to 5 missing ids.
 */
export async function countAuditRows(databaseUrl: string, ids: string[], stallMs = 15_000): Promise<{ expected: number; found: number; missing: string[] }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const count = async (): Promise<number> => {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_event WHERE request_id = ANY($1::text[])', [ids]);
      return rows[0].n;
    };
    let found = await count();
    let movedAt = Date.now();
    while (found < ids.length && Date.now() - movedAt < stallMs) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await count();
      if (now !== found) movedAt = Date.now();
      found = now;
    }
    let missing: string[] = [];
    if (found < ids.length) {
      const { rows } = await client.query<{ id: string }>(
        'SELECT t.rid AS id FROM unnest($1::text[]) AS t(rid) WHERE NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.request_id = t.rid) LIMIT 5',
        [ids],
      );
      missing = rows.map((r) => r.id);
    }
    return { expected: ids.length, found, missing };
  } finally {
    await client.end();
  }
}

export type { FuzzCase };
