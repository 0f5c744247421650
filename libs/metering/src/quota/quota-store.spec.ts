import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryQuotaStore } from './memory-quota.store';
import { createQuotaStore, type QuotaCounter, type QuotaReserveResult } from './quota-store';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const RESET = Date.parse('2026-12-05T00:00:00Z');
const TTL = 60_000;
const user = (requests: number, tokens: number, key = '{org}|u|p1|alice'): QuotaCounter => ({ scope: 'user', key, limit: { requests, tokens, window: 'daily' } });
const project = (requests: number, tokens: number): QuotaCounter => ({ scope: 'project', key: '{org}|p|p1', limit: { requests, tokens, window: 'daily' } });
const quiet = { warn: () => undefined };
const dirs: string[] = [];
let seq = 0;

function store(extra: Partial<ConstructorParameters<typeof MemoryQuotaStore>[0]> = {}): MemoryQuotaStore {
  return new MemoryQuotaStore({ timeZone: 'UTC', holdTtlMs: TTL, now: () => NOW, logger: quiet, ...extra });
}
const reserve = (sut: MemoryQuotaStore, counters: QuotaCounter[], tokens: number, nowMs = NOW, requests: 0 | 1 = 1) =>
  sut.reserve({ holdId: `h${++seq}`, counters, requests, tokens, nowMs });
function held(r: QuotaReserveResult, why = 'expected a hold') {
  assert.ok(r.ok, `${why}, got ${JSON.stringify(r)}`);
  return r.hold;
}
async function counts(sut: MemoryQuotaStore, c: QuotaCounter, nowMs = NOW) {
  const [u] = await sut.usage([c], nowMs);
  return { requests: u.requests.used, tokens: u.tokens.used, held: u.tokens.held };
}

after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe(MemoryQuotaStore.name, () => {
  it('exhaustion by requests: the K+1th call is refused with the window reset, and nothing is charged', async () => {
    const sut = store();
    for (let i = 0; i < 3; i++) held(await reserve(sut, [user(3, 0)], 50));
    const refused = await reserve(sut, [user(3, 0)], 50);
    assert.deepEqual(refused, { ok: false, scope: 'user', dimension: 'requests', limit: 3, used: 3, resetAtMs: RESET });
    assert.deepEqual(await counts(sut, user(3, 0)), { requests: 3, tokens: 0, held: 150 });
    held(await reserve(sut, [user(3, 0)], 50, RESET), 'a new day has a new budget');
    await sut.close();
  });

  it('tokens: holds count against the budget until settled to real usage; a spent budget refuses even 0 tokens', async () => {
    const sut = store();
    const c = user(0, 1000);
    const first = held(await reserve(sut, [c], 600));
    assert.deepEqual(await reserve(sut, [c], 500), { ok: false, scope: 'user', dimension: 'tokens', limit: 1000, used: 600, resetAtMs: RESET });
    await sut.settle(first, 200);
    assert.deepEqual(await counts(sut, c), { requests: 1, tokens: 200, held: 0 });
    const second = held(await reserve(sut, [c], 500));
    held(await reserve(sut, [c], 300)); // 200 + 500 + 300 = 1000: exactly the budget
    assert.equal((await reserve(sut, [c], 1)).ok, false);
    const zero = await reserve(sut, [c], 0);
    assert.equal(zero.ok === false && zero.dimension, 'tokens', 'a spent token budget refuses even a 0-token call');
    await sut.settle(second, 100);
    assert.deepEqual(await counts(sut, c), { requests: 3, tokens: 300, held: 300 });
    await sut.close();
  });

  it('atomic across counters: an exhausted project leaves the user counter untouched', async () => {
    const sut = store();
    held(await reserve(sut, [project(2, 0), user(10, 0, '{org}|u|p1|bob')], 10));
    held(await reserve(sut, [project(2, 0), user(10, 0, '{org}|u|p1|bob')], 10));
    const refused = await reserve(sut, [user(10, 1000), project(2, 0)], 10);
    assert.equal(refused.ok === false && refused.scope, 'project');
    assert.deepEqual(await counts(sut, user(10, 1000)), { requests: 0, tokens: 0, held: 0 }, 'alice was checked first but not charged');
    assert.deepEqual(await counts(sut, project(2, 0)), { requests: 2, tokens: 0, held: 20 });
    const userRefused = await reserve(sut, [user(1, 0, '{org}|u|p1|bob'), project(5, 0)], 10);
    assert.equal(userRefused.ok === false && userRefused.scope, 'user', 'the first exhausted counter is reported');
    await sut.close();
  });

  it('release gives back the request and tokens, once; settle is idempotent', async () => {
    const sut = store();
    const c = user(5, 1000);
    const a = held(await reserve(sut, [c, project(5, 0)], 400));
    await sut.release(a);
    await sut.release(a);
    assert.deepEqual(await counts(sut, c), { requests: 0, tokens: 0, held: 0 });
    assert.deepEqual(await counts(sut, project(5, 0)), { requests: 0, tokens: 0, held: 0 });
    const b = held(await reserve(sut, [c], 400));
    await sut.settle(b, 120);
    await sut.settle(b, 120);
    await sut.release(b); // after settle: the call happened, nothing to give back
    assert.deepEqual(await counts(sut, c), { requests: 1, tokens: 120, held: 0 });
    await sut.close();
  });

  it('expired holds are purged by the next reserve/usage: tokens back, request kept; a late settle still counts once', async () => {
    const sut = store();
    const c = user(10, 1000);
    const crashed = held(await reserve(sut, [c], 800));
    assert.equal((await reserve(sut, [c], 300, NOW + TTL - 1)).ok, false, 'still held just before expiry');
    held(await reserve(sut, [c], 300, NOW + TTL));
    assert.deepEqual(await counts(sut, c, NOW + TTL), { requests: 2, tokens: 0, held: 300 });
    await sut.settle(crashed, 150);
    await sut.settle(crashed, 150);
    assert.deepEqual(await counts(sut, c, NOW + TTL), { requests: 2, tokens: 150, held: 300 });
    const other = held(await reserve(sut, [c], 10, NOW + TTL));
    assert.deepEqual(await counts(sut, c, NOW + 3 * TTL), { requests: 3, tokens: 150, held: 0 });
    await sut.release(other);
    assert.deepEqual(await counts(sut, c, NOW + 3 * TTL), { requests: 2, tokens: 150, held: 0 }, 'release of an expired hold returns its request');
    await sut.close();
  });

  it('a hold settles in the window it was reserved in, even after the reset', async () => {
    const sut = store();
    const c = user(0, 1000);
    const h = held(await reserve(sut, [c], 900, RESET - 1_000));
    await sut.settle(h, 700);
    assert.equal((await counts(sut, c, RESET - 1)).tokens, 700);
    assert.equal((await counts(sut, c, RESET)).tokens, 0);
    await sut.close();
  });

  it('persists counters and holds across a restart (snapshot on close, and on flush when dirty)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-quota-'));
    dirs.push(dir);
    const persistPath = join(dir, 'sub', 'quotas.json');
    const a = store({ persistPath });
    const c = user(10, 1000);
    const done = held(await reserve(a, [c], 300));
    await a.settle(done, 250);
    const inFlight = held(await reserve(a, [c, project(10, 0)], 400));
    await a.flush();
    assert.ok(existsSync(persistPath));
    await a.close();
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['quotas.json'], 'no temp file left behind');
    const b = store({ persistPath });
    assert.deepEqual(await counts(b, c), { requests: 2, tokens: 250, held: 400 });
    await b.settle(inFlight, 50);
    assert.deepEqual(await counts(b, c), { requests: 2, tokens: 300, held: 0 });
    assert.deepEqual(await counts(b, project(10, 0)), { requests: 1, tokens: 50, held: 0 });
    await b.close();
    const c2 = store({ persistPath });
    assert.deepEqual(await counts(c2, c), { requests: 2, tokens: 300, held: 0 });
    await c2.close();
  });

  it('writes a dirty snapshot on its timer: a crash (no close) loses at most one interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-quota-'));
    dirs.push(dir);
    const persistPath = join(dir, 'quotas.json');
    const crashed = store({ persistPath, persistEveryMs: 50 });
    held(await reserve(crashed, [user(10, 0)], 5));
    await new Promise((r) => setTimeout(r, 200));
    const reborn = store({ persistPath });
    assert.deepEqual(await counts(reborn, user(10, 0)), { requests: 1, tokens: 0, held: 5 });
    await Promise.all([crashed.close(), reborn.close()]);
  });

  it('moves an unreadable snapshot aside and starts from zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-quota-'));
    dirs.push(dir);
    const persistPath = join(dir, 'quotas.json');
    writeFileSync(persistPath, '{"version":1,"counters":[[');
    const warnings: string[] = [];
    const sut = store({ persistPath, logger: { warn: (m) => warnings.push(m) } });
    assert.equal(sut.size, 0);
    assert.equal(warnings.length, 1);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('quotas.json.corrupt-')));
    await sut.close();
  });

  it('createQuotaStore: memory without a Redis URL; refuses a bad zone or TTL', async () => {
    const sut = createQuotaStore({ timeZone: 'Europe/Berlin', holdTtlMs: TTL });
    assert.ok(sut instanceof MemoryQuotaStore);
    await sut.close();
    assert.throws(() => createQuotaStore({ timeZone: 'Nowhere/Land', holdTtlMs: TTL }), RangeError);
    assert.throws(() => createQuotaStore({ timeZone: 'UTC', holdTtlMs: 0 }), RangeError);
  });
});
