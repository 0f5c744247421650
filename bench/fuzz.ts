/**
 * Bench fuzz mode: the seeded hostile-request generator of `test/fuzz` at volume (100,000 cases by default) against
 * a real gateway process and the fake upstream, with the same summary and failure groups as the test suite.
 * Usage: node dist/bench/fuzz.js [--cases=100000] [--seed=8] [--mode=embedded|production] [--concurrency=24]
 *        node dist/bench/fuzz.js --seed=8 --case=chat:17 --print     (rebuild one case and print it)
 *        (also `npm run bench -- fuzz …`). Production mode uses database gw_fuzz_bench_test and Redis db 4
 *        (BENCH_FUZZ_DB / BENCH_FUZZ_REDIS_DB to change).
 */
import { CONTROL_ENDPOINTS } from '../test/fuzz/endpoints-control';
import { INFERENCE_ENDPOINTS } from '../test/fuzz/endpoints-inference';
import { startFuzzGateway, FUZZ_BODY_LIMIT, type FuzzModeName } from '../test/fuzz/fuzz-gateway';
import { DEFAULT_SEED, reproduceCommand, runFuzz } from '../test/fuzz/fuzz-run';
import { generateCase } from '../test/fuzz/generator';
import { TEST_JWT_SECRET } from '../test/support/gateway-process';

const USAGE = 'node dist/bench/fuzz.js [--cases=100000] [--seed=8] [--mode=embedded|production] [--concurrency=24] [--case=<endpoint>:<index> [--print]]';

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of argv) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(a);
    if (!m || !['cases', 'seed', 'mode', 'concurrency', 'case', 'print', 'help'].includes(m[1])) throw new Error(`unknown argument ${a}\n${USAGE}`);
    out[m[1]] = m[2] ?? 'true';
  }
  return out;
}

/** Prints one case as it would be sent (credentials are placeholders: a real run uses its own). */
function printCase(seed: number, which: string): void {
  const [name, index] = which.split(':');
  const spec = [...INFERENCE_ENDPOINTS, ...CONTROL_ENDPOINTS].find((e) => e.name === name);
  if (!spec) throw new Error(`unknown endpoint ${name}`);
  const ctx = { apiKey: 'ak_<key>', jwt: 'e30.eyJzdWIiOiI8dXNlcj4ifQ.sig', jwtSecret: TEST_JWT_SECRET, email: '<owner email>', password: '<password>', runTag: 'print' };
  const c = generateCase(seed, spec, Number(index), ctx, { bodyLimit: FUZZ_BODY_LIMIT });
  process.stdout.write(`${c.kind}: ${c.note}\nPOST ${spec.path}${c.headers[':query'] ?? ''}\n`);
  for (const [k, v] of Object.entries(c.headers)) if (k !== ':query') process.stdout.write(`${k}: ${v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v}\n`);
  for (const l of c.rawHeaderLines ?? []) process.stdout.write(`${JSON.stringify(l)} (raw)\n`);
  process.stdout.write(`\n${c.body.length > 4000 ? `${c.body.subarray(0, 4000).toString()}… (${c.body.length} bytes)` : c.body.toString()}\n`);
}

export async function fuzzMain(argv: string[]): Promise<void> {
  const a = args(argv);
  if (a.help) return void process.stdout.write(`${USAGE}\n`);
  const seed = Number(a.seed ?? DEFAULT_SEED);
  if (a.print) return printCase(seed, a.case ?? 'chat:0');
  const mode = (a.mode ?? 'production') as FuzzModeName;
  if (mode !== 'embedded' && mode !== 'production') throw new Error(`--mode must be embedded or production`);
  const total = Number(a.cases ?? 100_000);
  const fg = await startFuzzGateway(mode, { database: process.env.BENCH_FUZZ_DB ?? 'gw_fuzz_bench_test', redisDb: Number(process.env.BENCH_FUZZ_REDIS_DB ?? 4) });
  try {
    const { report, audit, notes } = await runFuzz(fg, {
      seed,
      totalCases: total,
      concurrency: Number(a.concurrency ?? 24),
      label: `bench ${mode}`,
      only: a.case,
      progress: (n) => process.stderr.write(`[fuzz] ${n} cases\n`),
    });
    process.stdout.write(`${report.summary(audit)}\n`);
    for (const n of notes) process.stdout.write(`[fuzz] note: ${n}\n`);
    if (audit.missing.length > 0) {
      process.stdout.write(`[fuzz] audit rows missing, e.g. ${audit.missing.join(', ')}\n`);
      process.stdout.write(`[fuzz] gateway log tail:\n${fg.gw.output().slice(-6000)}\n`);
    }
    process.stdout.write(`${report.failureText(reproduceCommand(seed))}\n`);
    const alive = fg.gw.child.exitCode === null;
    process.stdout.write(`[fuzz] gateway ${alive ? 'alive' : `exited with ${fg.gw.child.exitCode}`} at the end\n`);
    if (report.groups.size > 0 || audit.found !== audit.expected || !alive) process.exitCode = 1;
  } finally {
    await fg.stop();
  }
}

if (require.main === module) {
  fuzzMain(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`[fuzz] failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
