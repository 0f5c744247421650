import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, noRollout, type PolicyRolloutState } from '../engine';
import { MemoryRolloutCounters } from './memory-rollout-counters';
import { RolloutMonitor, type RolloutTransitions } from './rollout-monitor';
import type { AutoTrip } from './rollout-state.repository';

const T0 = Date.UTC(2026, 4, 1, 12, 0, 0);
const autoRollback = { enabled: true, threshold_pct: 20, min_requests: 10, window_minutes: 5, cooldown_minutes: 30, rollback_decisions: ['refuse'] };
const doc = (ar: object | null = autoRollback) => ({ name: 'bot', config: { rules: { denylist: ['bad'] }, deployment: { enabled: true, percentage: 100, ...(ar ? { auto_rollback: ar } : {}) } } });
const policy = compilePolicy(doc(), { policyId: 'bot', version: 3 });
const state = (over: Partial<PolicyRolloutState> = {}): PolicyRolloutState => ({ ...noRollout('org-1', 'bot'), ...over });

/** Records the trips asked for; the first call for a given epoch wins, as the database's conditional upsert does. */
function transitions(opts: { failFirst?: boolean } = {}) {
  const trips: AutoTrip[] = [];
  const won = new Set<number>();
  let fail = opts.failFirst === true;
  const t: RolloutTransitions = {
    tripAuto: async (trip) => {
      if (fail) {
        fail = false;
        throw new Error('database unavailable');
      }
      trips.push(trip);
      if (won.has(trip.epoch)) return null;
      won.add(trip.epoch);
      return state({ override: 'rollback', epoch: trip.epoch + 1, since: trip.nowMs, until: trip.nowMs + trip.cooldownMinutes * 60_000 });
    },
    expireDue: async () => [],
  };
  return { t, trips };
}

function setup(opts: { failFirst?: boolean } = {}) {
  const clock = { ms: T0, now: () => clock.ms };
  const counters = new MemoryRolloutCounters();
  const { t, trips } = transitions(opts);
  const sut = new RolloutMonitor(counters, t, { clock, flushEveryMs: 0, expireEveryMs: 0, logger: { warn: () => undefined } });
  const record = (n: number, decision: 'allow' | 'refuse', s = state()) => {
    for (let i = 0; i < n; i++) sut.record(policy, s, decision);
  };
  return { sut, clock, counters, trips, record };
}

describe(RolloutMonitor.name, () => {
  it('record only buffers; a flush adds to the counters and reads the window back', async () => {
    const { sut, counters, record } = setup();
    record(3, 'refuse');
    record(2, 'allow');
    assert.equal(sut.pendingScopes, 1);
    assert.equal(counters.size, 0, 'nothing leaves the process before a flush');
    const report = await sut.flush();
    assert.equal(sut.pendingScopes, 0);
    assert.deepEqual(report.windows.map((w) => [w.scope, w.window.total, w.window.hits]), [[{ orgId: 'org-1', policyId: 'bot', version: 3, epoch: 0 }, 5, 3]]);
    assert.deepEqual(report.tripped, [], 'below min_requests');
  });

  it('counts only stored policies with auto-rollback on, and nothing while rolled back', async () => {
    const { sut, clock } = setup();
    sut.record(compilePolicy(doc(null), { policyId: 'bot', version: 3 }), state(), 'refuse');
    sut.record(compilePolicy(doc()), state(), 'refuse'); // inline: no version, no rollout row
    sut.record(policy, state({ override: 'rollback', until: clock.ms + 60_000 }), 'refuse');
    sut.record(policy, state({ override: 'rollback', until: null }), 'refuse');
    assert.equal(sut.pendingScopes, 0);
    sut.record(policy, state({ override: 'rollback', epoch: 1, until: clock.ms }), 'refuse');
    assert.equal(sut.pendingScopes, 1, 'a rollback past its until counts again at once');
  });

  it('trips once when the share exceeds the threshold after min_requests, with the statistics', async () => {
    const { sut, record, trips } = setup();
    record(9, 'refuse');
    assert.deepEqual((await sut.flush()).tripped, [], '9 < min_requests');
    record(36, 'allow');
    assert.deepEqual((await sut.flush()).tripped, [], '9/45 is 20%, not above');
    record(1, 'refuse');
    const report = await sut.flush();
    assert.equal(report.tripped.length, 1);
    assert.deepEqual(trips.map((t) => [t.orgId, t.policyId, t.version, t.epoch, t.nowMs, t.cooldownMinutes]), [['org-1', 'bot', 3, 0, T0, 30]]);
    assert.deepEqual({ ...trips[0].details, rate: Math.round((trips[0].details.rate as number) * 1000) }, {
      total: 46,
      hits: 10,
      rate: 217,
      threshold: 0.2,
      min_requests: 10,
      window_minutes: 5,
      cooldown_minutes: 30,
      decisions: ['refuse'],
      epoch: 0,
    });
    record(5, 'refuse'); // this replica has not heard of the rollback yet
    assert.deepEqual((await sut.flush()).tripped, []);
    assert.equal(trips.length, 1, 'one attempt per epoch');
  });

  it('counts slide out of the window', async () => {
    const { sut, clock, record } = setup();
    record(9, 'refuse');
    await sut.flush();
    clock.ms += 5 * 60_000; // the 5-minute window no longer holds the first minute
    record(1, 'refuse');
    const [w] = (await sut.flush()).windows;
    assert.deepEqual([w.window.total, w.window.hits, w.window.trip], [1, 1, false]);
  });

  it('a new epoch counts from zero', async () => {
    const { sut, record } = setup();
    record(9, 'refuse');
    await sut.flush();
    record(9, 'refuse', state({ epoch: 2 }));
    const [w] = (await sut.flush()).windows;
    assert.deepEqual([w.scope.epoch, w.window.total, w.window.trip], [2, 9, false]);
  });

  it('a failed trip is tried again at the next flush', async () => {
    const { sut, record, trips } = setup({ failFirst: true });
    record(10, 'refuse');
    assert.deepEqual((await sut.flush()).tripped, []);
    record(1, 'refuse');
    assert.equal((await sut.flush()).tripped.length, 1);
    assert.equal(trips.length, 1);
  });

  it('record stays cheap: 100,000 records in well under a second', () => {
    const { sut } = setup();
    const s = state();
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100_000; i++) sut.record(policy, s, i % 7 === 0 ? 'refuse' : 'allow');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 500, `${ms} ms`);
    assert.equal(sut.pendingScopes, 1);
  });
});
