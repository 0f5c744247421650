/** One whole fuzz run against a started gateway: inference endpoints, then the control plane, then the audit count. */
import { request } from 'undici';
import { CONTROL_ENDPOINTS } from './endpoints-control';
import { INFERENCE_ENDPOINTS } from './endpoints-inference';
import type { FuzzCase } from './generator';
import type { FuzzGateway } from './fuzz-gateway';
import { FuzzReport } from './report';
import { countAuditRows, runCases } from './runner';
import type { EndpointSpec } from './types';

/** The default seed of `npm test` (fixed, so CI runs the same cases); FUZZ_SEED / --seed pick others. */
export const DEFAULT_SEED = 8;

export interface FuzzRunOptions {
  seed: number;
  /** Cases per endpoint, or `totalCases` spread over the endpoints that exist. */
  casesPerEndpoint?: number;
  totalCases?: number;
  concurrency: number;
  label: string;
  /** `endpoint:index`: only that case. */
  only?: string;
  progress?: (done: number) => void;
}

export interface FuzzRunResult {
  report: FuzzReport;
  audit: { expected: number; found: number; missing: string[] };
  notes: string[];
}

/** `/api/users` is being built in parallel: it is fuzzed only when it answers (anything but a 404). */
async function usersApiExists(fg: FuzzGateway): Promise<boolean> {
  const res = await request(`${fg.origins.control}/api/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fg.ctx.jwt}`, 'content-type': 'application/json' },
    body: '{}',
  });
  await res.body.dump();
  return res.statusCode !== 404;
}

export async function runFuzz(fg: FuzzGateway, o: FuzzRunOptions): Promise<FuzzRunResult> {
  const notes: string[] = [];
  let control: EndpointSpec[] = CONTROL_ENDPOINTS;
  if (!(await usersApiExists(fg))) {
    control = CONTROL_ENDPOINTS.filter((e) => e.name !== 'users');
    notes.push('POST /api/users answers 404: the users endpoint is skipped');
  }
  const report = new FuzzReport(o.seed, o.label);
  const perEndpoint = o.casesPerEndpoint ?? Math.ceil((o.totalCases ?? 0) / (INFERENCE_ENDPOINTS.length + control.length));
  const common = { seed: o.seed, casesPerEndpoint: perEndpoint, concurrency: o.concurrency, ctx: fg.ctx, origins: fg.origins, bodyLimit: fg.bodyLimit, progress: o.progress };
  const onlyIn = (eps: EndpointSpec[]): boolean => o.only === undefined || eps.some((e) => o.only!.startsWith(`${e.name}:`));
  // Inference first, then the control plane: hostile credit grants can then not change what inference sees.
  const t0 = Date.now();
  const ids = onlyIn(INFERENCE_ENDPOINTS) ? await runCases({ ...common, endpoints: INFERENCE_ENDPOINTS, only: o.only }, report) : [];
  const t1 = Date.now();
  if (onlyIn(control)) await runCases({ ...common, endpoints: control, only: o.only }, report);
  const t2 = Date.now();
  const audit = await countAuditRows(fg.databaseUrl, ids);
  notes.push(`phases: inference ${((t1 - t0) / 1000).toFixed(1)} s, control ${((t2 - t1) / 1000).toFixed(1)} s, audit drain ${((Date.now() - t2) / 1000).toFixed(1)} s`);
  return { report, audit, notes };
}

/** How to rebuild one case from the command line. */
export function reproduceCommand(seed: number) {
  return (c: FuzzCase): string => `node dist/bench/fuzz.js --seed=${seed} --case=${c.endpoint.name}:${c.index} --print`;
}
