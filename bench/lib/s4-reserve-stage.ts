/**
 * Credit admission round trip through the gateway's own CreditReservations on the gateway's database, which since
 * issue 12 always calls `gw_reserve_credits_batch` (one lock hold and one statement per batch of an organisation's
 * calls): a lone call without an owner ("v1": no boot, no facts), a lone call with the owner boot and the call's facts
 * ("v2", what the gateway sends), and 32 calls submitted at once ("batch": the first leaves alone, the other 31 as one
 * batch when it returns; the row is the wall time of the 32 divided by 32). Timed from the harness, so a row is client
 * + network + Postgres, not gateway CPU. Reservations are deleted (untimed) right after: the function sums the
 * organisation's open reservations, so leftovers would slow later calls; the owner boot is the live gateway's, so its
 * orphan sweeper never sees them.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { CreditReservations, ProgressBook, type ReservationFacts } from '@gw/metering';
import { percentile } from './stats';
import type { StageRow } from './s4-timer';

export async function reserveStages(databaseUrl: string, iterations: number, warmup: number): Promise<StageRow[]> {
  const pg = new Client({ connectionString: databaseUrl, application_name: 'bench-s4' });
  await pg.connect();
  const v1 = new CreditReservations(databaseUrl, 1);
  let v2: CreditReservations | undefined;
  try {
    const org = await pg.query<{ org_id: string }>('SELECT org_id FROM credit_account ORDER BY balance DESC LIMIT 1');
    const boot = await pg.query<{ boot_id: string }>('SELECT boot_id FROM gateway_replica ORDER BY heartbeat_at DESC LIMIT 1');
    const orgId = org.rows[0]?.org_id;
    const bootId = boot.rows[0]?.boot_id;
    if (!orgId || !bootId) throw new Error('no credit account or no live gateway_replica row in the gateway database');
    v2 = new CreditReservations(databaseUrl, 1, { bootId, progress: new ProgressBook() });
    const facts: ReservationFacts = {
      apiKeyId: randomUUID(),
      userId: randomUUID(),
      model: 'abliterated-model',
      provider: 'upstream',
      upstreamModel: 'bench-model',
      surface: 'chat.completions',
      stream: false,
      inputTokens: 2_100,
      startedAtMs: Date.now(),
    };
    const samples: Record<'v1' | 'v2' | 'batch', number[]> = { v1: [], v2: [], batch: [] };
    const batch = async (keep: boolean): Promise<void> => {
      const ids = Array.from({ length: 32 }, () => `bench-s4-${randomUUID()}`);
      const t0 = performance.now();
      const rs = await Promise.all(ids.map((id) => v2!.reserve(orgId, id, 1, 60_000, facts)));
      const ms = (performance.now() - t0) / ids.length;
      await pg.query('DELETE FROM credit_reservation WHERE request_id = ANY($1)', [ids]);
      if (rs.some((r) => r.granted !== 1)) throw new Error('a batched reservation was not granted');
      if (keep) samples.batch.push(ms);
    };
    const one = async (which: 'v1' | 'v2', keep: boolean): Promise<void> => {
      const id = `bench-s4-${randomUUID()}`;
      const t0 = performance.now();
      const r = which === 'v1' ? await v1.reserve(orgId, id, 1, 60_000) : await v2!.reserve(orgId, id, 1, 60_000, facts);
      const ms = performance.now() - t0;
      await pg.query('DELETE FROM credit_reservation WHERE request_id = $1', [id]);
      if (r.granted !== 1) throw new Error(`reservation ${which} was not granted (balance ${r.availableBefore})`);
      if (keep) samples[which].push(ms);
    };
    for (let i = 0; i < warmup + iterations; i++) {
      // Alternating order, so neither version always follows the DELETE of the other.
      for (const which of i % 2 ? (['v1', 'v2'] as const) : (['v2', 'v1'] as const)) await one(which, i >= warmup);
      if (i % 32 === 0) await batch(i >= warmup); // 1 in 32 rounds: the same number of reservations as the others
    }
    const label = { v1: 'one call, no owner', v2: 'one call, owner + facts', batch: 'per call of 32 submitted at once' } as const;
    return (['v1', 'v2', 'batch'] as const).map((which) => {
      const ms = samples[which];
      return {
        stage: `credit reservation gw_reserve_credits_batch, ${label[which]} (harness → Postgres)`,
        body: '–',
        n: ms.length,
        p50Us: percentile(ms, 50) * 1000,
        p99Us: percentile(ms, 99) * 1000,
        meanUs: (ms.reduce((a, b) => a + b, 0) / ms.length) * 1000,
      };
    });
  } finally {
    await Promise.all([v1.close(), v2 ? v2.close() : Promise.resolve(), pg.end()].map((p) => p.catch(() => undefined)));
  }
}
