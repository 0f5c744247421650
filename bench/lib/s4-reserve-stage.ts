/**
 * Credit admission round trip, `gw_reserve_credits` (v1, 4 parameters) against `gw_reserve_credits_v2` (issue 8:
 * also the owner boot and the call's facts, 14 parameters), through the gateway's own CreditReservations on the
 * gateway's database. Timed from the harness, so a row is client + network + Postgres, not gateway CPU. Each
 * reservation is deleted (untimed) right after: the functions sum the organisation's open reservations, so
 * leftovers would slow later calls; the owner boot is the live gateway's, so its orphan sweeper never sees them.
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
    const samples: Record<'v1' | 'v2', number[]> = { v1: [], v2: [] };
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
    }
    return (['v1', 'v2'] as const).map((which) => {
      const ms = samples[which];
      return {
        stage: `credit reservation round trip ${which === 'v1' ? 'gw_reserve_credits (v1)' : 'gw_reserve_credits_v2'} (harness → Postgres)`,
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
