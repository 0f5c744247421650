import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import {
  counterTtlMs,
  evaluate,
  PolicyRepository,
  PolicyStore,
  RedisRolloutCounters,
  RolloutMonitor,
  RolloutStateRepository,
  type AutoTrip,
  type FlushReport,
  type PolicyVerdict,
  type PolicyRolloutState,
} from '@gw/policy';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';
import { LOCAL_REDIS } from '../support/databases';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const MIN = 60_000;
// Window longer than the cooldown: after a restore, the previous epoch's counts are still inside the window.
const AUTO = { enabled: true, threshold_pct: 20, min_requests: 10, window_minutes: 30, cooldown_minutes: 5, rollback_decisions: ['refuse'] };
const botDoc = { name: 'bot', config: { rules: { denylist: ['bad'] }, deployment: { enabled: true, percentage: 100, auto_rollback: AUTO } } };
const manualDoc = { name: 'manual', config: { rules: { denylist: ['bad'] }, deployment: { enabled: true, percentage: 100 } } };
// db 15 is shared with other suites: this run's keys live under their own prefix instead of a flushed db.
const REDIS_URL = `${LOCAL_REDIS}/15`;
const PREFIX = `gw:rollout-test:${randomUUID()}:`;

const clock = { ms: T0, now: () => clock.ms };
const until = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** One inference replica: its own pool, policy cache (LISTEN), counters connection and monitor, on the shared clock. */
async function replica(url: string) {
  const ds = await createDataSource(url, 3).initialize();
  const rollouts = new RolloutStateRepository(ds);
  const store = new PolicyStore(new PolicyRepository(ds), { databaseUrl: url, ttlMs: 60_000, rollouts, clock });
  await store.onModuleInit();
  const counters = new RedisRolloutCounters(REDIS_URL, PREFIX);
  const attempts: AutoTrip[] = [];
  const transitions = { tripAuto: (t: AutoTrip) => (attempts.push(t), rollouts.tripAuto(t)), expireDue: (now: number) => rollouts.expireDue(now) };
  const monitor = new RolloutMonitor(counters, transitions, { clock, flushEveryMs: 0, expireEveryMs: 0 });
  /** Evaluates `n` requests as the enforcer does and records each decision; answers the last verdict. */
  const serve = async (orgId: string, n: number, text: string) => {
    let last: PolicyVerdict | null = null;
    for (let i = 0; i < n; i++) {
      const { policy, rollout } = await store.getLatestWithRollout(orgId, 'bot');
      last = evaluate(policy, { segments: [{ text, messageIndex: 0 }], subject: { quotaSubject: `user-${i}`, target: null }, rollout }).verdict;
      monitor.record(policy, rollout, last.decision, clock.now());
    }
    assert.ok(last, 'served at least one request');
    return last;
  };
  const close = async () => {
    await monitor.stop();
    await counters.close();
    await store.onModuleDestroy();
    await ds.destroy();
  };
  return { ds, rollouts, store, monitor, attempts, serve, close };
}

const tripped = (reports: FlushReport[]) => reports.flatMap((r) => r.tripped);

describe('auto-rollback across two replicas (real Postgres + Redis, injectable clock)', () => {
  let db: TestDatabase;
  let control: DataSource;
  let a: Awaited<ReturnType<typeof replica>>;
  let b: Awaited<ReturnType<typeof replica>>;
  let org = '';
  const user = randomUUID();

  const history = (policyId: string, editType: string) =>
    control.query<Array<{ actor_kind: string; actor_id: string | null; policy_version: number | null; before: unknown; after: Record<string, unknown>; details: Record<string, unknown> }>>(
      `SELECT actor_kind, actor_id, policy_version, before, after, details FROM policy_history WHERE org_id = $1 AND policy_id = $2 AND edit_type = $3 ORDER BY id`,
      [org, policyId, editType],
    );
  const row = async (policyId: string): Promise<PolicyRolloutState | null> => new RolloutStateRepository(control).findState(org, policyId);

  before(async () => {
    db = await createTestDatabase({ name: `gw_rollout_auto_test_${Date.now().toString(36)}` });
    control = await createDataSource(db.url, 4).initialize();
    [{ id: org }] = await control.query(`INSERT INTO organization (name) VALUES ('rollout') RETURNING id`);
    const policies = new PolicyRepository(control);
    for (const [id, doc] of [['bot', botDoc], ['manual', manualDoc]] as const) {
      await policies.save({ orgId: org, policyId: id, json: JSON.stringify(doc), generation: 2, name: id, createdBy: null }, 'upsert');
    }
    a = await replica(db.url);
    b = await replica(db.url);
  });

  after(async () => {
    for (const r of [a, b]) await r?.close();
    const raw = new Redis(REDIS_URL);
    const keys = await raw.keys(`${PREFIX}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
    await control?.destroy();
    await db?.drop();
  });

  it('below min_requests nothing trips, however high the share', async () => {
    await a.serve(org, 5, 'a bad request');
    await b.serve(org, 4, 'a bad request');
    const reports = [await a.monitor.flush(), await b.monitor.flush()];
    assert.deepEqual([reports[1].windows[0].window.total, reports[1].windows[0].window.hits], [9, 9], 'both replicas count into one window');
    assert.deepEqual(tripped(reports), []);
    assert.equal(await row('bot'), null);
    const raw = new Redis(REDIS_URL);
    const keys = await raw.keys(`${PREFIX}*`);
    assert.deepEqual(keys, [`${PREFIX}{${org}:bot}:1:0:${Math.floor(T0 / MIN)}`], 'one bucket: this minute of version 1, epoch 0');
    const ttl = await raw.pttl(keys[0]);
    assert.ok(ttl > 30 * MIN && ttl <= counterTtlMs(30), `ttl ${ttl}`);
    await raw.quit();
  });

  it('at the threshold nothing trips; just above it, exactly one replica trips, in one transaction with its history entry', async () => {
    // One replica's flush, so no intermediate sum (say 9/27) is judged on the way to 9/45.
    await a.serve(org, 36, 'a fine request');
    const atThreshold = await a.monitor.flush();
    assert.deepEqual([atThreshold.windows[0].window.total, atThreshold.windows[0].window.hits], [45, 9]);
    assert.deepEqual(atThreshold.tripped, [], '9/45 = 20% is not above 20%');
    await a.serve(org, 1, 'a bad request');
    await b.serve(org, 1, 'a bad request');
    const reports = await Promise.all([a.monitor.flush(), b.monitor.flush()]);
    assert.equal(a.attempts.length + b.attempts.length, 2, 'both replicas saw the spike and tried');
    assert.equal(tripped(reports).length, 1, 'one won');
    const entries = await history('bot', 'rollback_auto');
    assert.equal(entries.length, 1);
    const e = entries[0];
    assert.deepEqual([e.actor_kind, e.actor_id, e.policy_version], ['system', 'auto-rollback', 1]);
    assert.ok(e.details.total === 46 || e.details.total === 47, `total ${String(e.details.total)}`);
    assert.equal(e.details.hits, Number(e.details.total) - 36);
    assert.deepEqual([e.details.threshold, e.details.window_minutes, e.details.version, e.details.epoch], [0.2, 30, 1, 0]);
    assert.deepEqual(e.before, { override: null, epoch: 0, since: null, until: null, reason: null, triggered_by: null });
    assert.deepEqual(await row('bot'), {
      orgId: org,
      policyId: 'bot',
      override: 'rollback',
      epoch: 1,
      since: T0,
      until: T0 + 5 * MIN,
      reason: 'auto',
      triggeredBy: 'auto-rollback',
    });
  });

  it('both replicas read the rollback from their next request: shadow, nothing counted', async () => {
    for (const r of [a, b]) await until('the NOTIFY evicts the cached state', async () => (await r.store.getLatestWithRollout(org, 'bot')).rollout.override === 'rollback');
    const v = await a.serve(org, 20, 'a bad request');
    assert.deepEqual([v.decision, v.effective_decision, v.enforced, v.rollout_mode], ['refuse', 'allow', false, 'rollback']);
    assert.deepEqual(v.denylist_hits, ['bad'], 'every check still runs');
    assert.equal(a.monitor.pendingScopes, 0, 'nothing is counted while rolled back');
  });

  it('after the cooldown the state reads as restored at once, and the expire pass ends it exactly once', async () => {
    clock.ms = T0 + 5 * MIN;
    assert.equal((await row('bot'))?.override, 'rollback', 'not yet written down');
    const v = await b.serve(org, 1, 'a bad request');
    assert.deepEqual([v.rollout_mode, v.enforced, v.effective_decision], ['enforced', true, 'refuse'], 'the cached state already reads as over');
    const ended = (await Promise.all([a.monitor.expire(), b.monitor.expire(), a.monitor.expire()])).flat();
    assert.equal(ended.length, 1);
    assert.deepEqual(await a.monitor.expire(), []);
    const entries = await history('bot', 'rollback_ended');
    assert.equal(entries.length, 1);
    assert.deepEqual([entries[0].actor_kind, entries[0].actor_id], ['system', 'rollback-cooldown']);
    const restored = await row('bot');
    assert.deepEqual([restored?.override, restored?.epoch, restored?.since, restored?.until, restored?.reason], [null, 2, T0 + 5 * MIN, null, 'cooldown_elapsed']);
  });

  it('counting restarts from zero in the new epoch, and trips again from there', async () => {
    for (const r of [a, b]) await until('the restore reaches the cache', async () => (await r.store.getLatestWithRollout(org, 'bot')).rollout.epoch === 2);
    await b.monitor.flush(); // the one request served before the expiry was counted in the old epoch
    await a.serve(org, 9, 'a bad request');
    const [w] = (await a.monitor.flush()).windows;
    // The previous epoch's 47 requests (11 hits) are still inside the 30-minute window: they must not count.
    assert.deepEqual([w.scope.epoch, w.window.total, w.window.hits, w.window.trip], [2, 9, 9, false]);
    await b.serve(org, 1, 'a bad request');
    const report = await b.monitor.flush();
    assert.equal(report.tripped.length, 1);
    assert.deepEqual((await history('bot', 'rollback_auto')).map((e) => [e.details.total, e.details.epoch]).slice(1), [[10, 2]]);
    assert.equal((await row('bot'))?.epoch, 3);
  });

  it('manual rollback and resume: one in force at a time, each with its history entry and NOTIFY', async () => {
    const actor = { kind: 'user' as const, id: user };
    clock.ms = T0 + 60 * MIN;
    const now = clock.ms;
    const held = await a.rollouts.rollback({ orgId: org, policyId: 'manual', actor, nowMs: now, reason: 'incident 42', untilMs: null });
    assert.deepEqual([held?.override, held?.epoch, held?.since, held?.until, held?.reason, held?.triggeredBy], ['rollback', 1, now, null, 'incident 42', `user:${user}`]);
    assert.equal(await b.rollouts.rollback({ orgId: org, policyId: 'manual', actor, nowMs: now, reason: null, untilMs: null }), null, 'already rolled back');
    await until('replica b reads the manual rollback', async () => (await b.store.getLatestWithRollout(org, 'manual')).rollout.override === 'rollback');
    clock.ms += 365 * 24 * 60 * MIN;
    const expired = await a.monitor.expire(); // bot's second auto-rollback ends here; this one must not
    assert.deepEqual(expired.map((s) => s.policyId), ['bot'], 'an open-ended rollback has no cooldown');

    const resumed = await b.rollouts.resume({ orgId: org, policyId: 'manual', actor, nowMs: clock.ms });
    assert.deepEqual([resumed?.override, resumed?.epoch, resumed?.reason], [null, 2, 'resumed']);
    assert.equal(await a.rollouts.resume({ orgId: org, policyId: 'manual', actor, nowMs: clock.ms }), null, 'nothing left to resume');

    const timed = await a.rollouts.rollback({ orgId: org, policyId: 'manual', actor, nowMs: clock.ms, reason: null, untilMs: clock.ms + 10 * MIN });
    assert.deepEqual([timed?.epoch, timed?.reason, timed?.until], [3, 'manual', clock.ms + 10 * MIN]);
    clock.ms += 10 * MIN;
    assert.equal(await a.rollouts.resume({ orgId: org, policyId: 'manual', actor, nowMs: clock.ms }), null, 'its cooldown is over');
    assert.equal((await a.monitor.expire()).length, 1);

    const kinds = await control.query<Array<{ edit_type: string; actor_id: string }>>(
      `SELECT edit_type, actor_id FROM policy_history WHERE org_id = $1 AND policy_id = 'manual' AND edit_type LIKE 'rollback%' ORDER BY id`,
      [org],
    );
    assert.deepEqual(
      kinds.map((k) => [k.edit_type, k.actor_id]),
      [
        ['rollback_manual', user],
        ['rollback_resume', user],
        ['rollback_manual', user],
        ['rollback_ended', 'rollback-cooldown'],
      ],
    );
  });
});
