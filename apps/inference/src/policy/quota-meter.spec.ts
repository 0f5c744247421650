import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@gw/config';
import { GatewayError, GatewayErrorCode, type Admission, type AdmitInput, type QuotaPlan } from '@gw/inference';
import { createQuotaStore, type CreditMeter, type QuotaStore } from '@gw/metering';
import { QuotaMeter } from './quota-meter';
import { MIDDAY_ZONE } from '../../../../test/support/midday-zone';

const ORG = '22222222-2222-2222-2222-222222222222';
const plan: QuotaPlan = { requests: 1, counters: [{ scope: 'user', key: `{${ORG}}|u|proj_a|alice`, limit: { requests: 2, tokens: 1_000, window: 'daily' } }] };

/** The credit side as the meter sees it: counts admissions and what was given back. */
function credits(refuse = false) {
  const log = { admitted: 0, released: 0, charged: 0 };
  const meter = {
    async admit(): Promise<Admission> {
      if (refuse) throw new GatewayError(GatewayErrorCode.PaymentRequired, 'no credits', { wireCode: 'insufficient_credits' });
      log.admitted++;
      return { capped: false, state: { id: log.admitted } };
    },
    settle(_a: Admission, _u: unknown, reached: boolean) {
      if (reached) log.charged++;
      else log.released++;
      return { remainingCredits: 0, creditsUsed: 0, costUsd: 0 };
    },
    watch() {},
  };
  return { meter: meter as unknown as CreditMeter, log };
}

const input = (id: string, maxTokens = 100): AdmitInput =>
  ({ requestId: id, payer: { kind: 'api_key', orgId: ORG, apiKeyId: 'k', userId: null, projectId: null }, request: { maxTokens }, inputTokens: 50, model: 'm', quota: plan }) as unknown as AdmitInput;

const config = loadConfig({ DEFAULT_MAX_TOKENS: '4096' });
const store = () => createQuotaStore({ timeZone: MIDDAY_ZONE, holdTtlMs: 60_000 });
const used = async (s: QuotaStore) => (await s.usage(plan.counters))[0];
const settled = () => new Promise((r) => setImmediate(r));

describe('QuotaMeter: quotas held with the credits', () => {
  it('holds input + output cap, settles to real usage, and refuses the third request with a 429 and Retry-After', async () => {
    const s = store();
    const c = credits();
    const m = new QuotaMeter(c.meter, s, config);
    const first = await m.admit(input('r1'));
    assert.deepEqual((await used(s)).tokens, { used: 0, held: 150, limit: 1_000 });
    m.settle(first, { inputTokens: 40, outputTokens: 20 }, true, Date.now());
    await settled();
    assert.deepEqual((await used(s)).tokens, { used: 60, held: 0, limit: 1_000 });
    await m.admit(input('r2'));
    const refused = await m.admit(input('r3')).catch((e: unknown) => e);
    assert.ok(refused instanceof GatewayError);
    assert.deepEqual([refused.status, refused.wireCode], [429, 'user_quota_exceeded']);
    assert.ok(refused.retryAfterSeconds! >= 1 && refused.retryAfterSeconds! <= 86_400);
    assert.deepEqual(refused.extra?.quota_refusal, { reason_code: 'USER_QUOTA_EXCEEDED', scope: 'user', dimension: 'requests' });
    assert.deepEqual(c.log, { admitted: 3, released: 1, charged: 1 }, "the refused call's credits were given back");
    await s.close();
  });

  it('a credit refusal gives the quota hold back (request and tokens)', async () => {
    const s = store();
    const m = new QuotaMeter(credits(true).meter, s, config);
    await assert.rejects(m.admit(input('r1')), (e: unknown) => e instanceof GatewayError && e.status === 402);
    await settled();
    const u = await used(s);
    assert.deepEqual([u.requests.used, u.tokens.held], [0, 0]);
    await s.close();
  });

  it('fails closed when the quota store cannot answer, and gives the credits back', async () => {
    const c = credits();
    const broken = { reserve: () => Promise.reject(new Error('redis down')) } as unknown as QuotaStore;
    const err = await new QuotaMeter(c.meter, broken, config).admit(input('r1')).catch((e: unknown) => e);
    assert.ok(err instanceof GatewayError);
    assert.deepEqual([err.status, err.wireCode], [503, 'quota_unavailable']);
    assert.deepEqual(c.log, { admitted: 1, released: 1, charged: 0 });
  });

  it('a call that never reached the model gives its request back; without a plan only credits are involved', async () => {
    const s = store();
    const c = credits();
    const m = new QuotaMeter(c.meter, s, config);
    m.settle(await m.admit(input('r1')), { inputTokens: 0, outputTokens: 0 }, false, Date.now());
    await settled();
    assert.deepEqual([(await used(s)).requests.used, (await used(s)).tokens.held], [0, 0]);
    const bare = await m.admit({ ...input('r2'), quota: undefined });
    assert.deepEqual(bare.state, { id: 2 }, 'no quota state wrapped around the credit admission');
    await s.close();
  });
});
