import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFuzzGateway, type FuzzGateway, type FuzzModeName } from './fuzz-gateway';
import { DEFAULT_SEED, reproduceCommand, runFuzz, type FuzzRunResult } from './fuzz-run';

/**
 * The fuzz suite of `npm test` (issue 8): ≥ 2,000 seeded hostile requests per endpoint against the real gateway.
 * FUZZ_SEED (default 8), FUZZ_CASES (per endpoint, default 2,000), FUZZ_CASE=<endpoint>:<index> (one case).
 */
export function defineFuzzSuite(mode: FuzzModeName, opts: { database: string; redisDb: number }): void {
  describe(`fuzz (${mode})`, () => {
    const seed = Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);
    let fg: FuzzGateway;
    let result: FuzzRunResult;

    before(async () => {
      fg = await startFuzzGateway(mode, opts);
      result = await runFuzz(fg, {
        seed,
        casesPerEndpoint: Number(process.env.FUZZ_CASES ?? 2_000),
        concurrency: 24,
        label: mode,
        only: process.env.FUZZ_CASE,
      });
      process.stdout.write(`${result.report.summary(result.audit)}\n${result.report.timing()}\n`);
      for (const n of result.notes) process.stdout.write(`[fuzz] note: ${n}\n`);
      if (result.report.groups.size > 0) process.stdout.write(`${result.report.failureText(reproduceCommand(seed))}\n`);
      if (result.audit.found !== result.audit.expected) process.stdout.write(`[fuzz] gateway log tail:\n${fg.gw.output().slice(-4000)}\n`);
    }, { timeout: 900_000 }); // 20,000 cases through the one embedded process take ~2.5–3 min on an idle box, over 5 under load; scripts/test.sh gives each file 10

    after(async () => {
      await fg?.stop();
    });

    it('answers every hostile request without a 5xx, in the right error envelope', () => {
      const r = result.report;
      assert.equal(r.fiveXx, 0, `${r.fiveXx} responses were 5xx`);
      assert.equal(r.groups.size, 0, `${r.failures} failing cases in ${r.groups.size} groups:\n${r.failureText(reproduceCommand(seed))}`);
    });

    it('writes exactly one audit row per inference request that reached the router', () => {
      const { expected, found, missing } = result.audit;
      assert.equal(found, expected, `audit rows: expected ${expected}, found ${found}; missing e.g. ${missing.join(', ')}`);
    });

    it('is still alive and ready afterwards', async () => {
      assert.equal(fg.gw.child.exitCode, null, `gateway exited:\n${fg.gw.output().slice(-2000)}`);
      const res = await fetch(`${fg.origins.inference}/health/live`);
      assert.equal(res.status, 200);
    });
  });
}
