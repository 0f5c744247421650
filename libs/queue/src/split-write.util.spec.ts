import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MicroBatcher } from './micro-batcher.util';
import { writeSplitting, type SplitWriteStats } from './split-write.util';

const pgError = (code: string) => Object.assign(new Error(`failure ${code}`), { code });

/** A fake table: a statement fails as a whole (one transaction) when any row in it is poisoned. */
function fakeTable(poisoned: Set<number>, error = () => pgError('22021')) {
  const rows = new Set<number>();
  const statements: number[][] = [];
  const write = async (items: number[]) => {
    statements.push(items);
    if (items.some((i) => poisoned.has(i))) throw error();
    for (const i of items) rows.add(i);
  };
  return { rows, statements, write };
}

describe(writeSplitting.name, () => {
  it('stores every innocent row and returns an error for exactly the poisoned ones', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    const poisoned = new Set([3, 17, 18, 99, 150, 151, 152, 160, 190, 199]);
    const table = fakeTable(poisoned);
    const stats: SplitWriteStats = { writes: 0, splits: 0 };
    const results = await writeSplitting(items, table.write, stats);
    assert.equal(table.rows.size, 190);
    assert.deepEqual(items.filter((_, i) => results[i]), [...poisoned]);
    assert.ok(results.every((r) => !r || (r.failure.kind === 'data' && r.failure.code === '22021')));
    // k bad rows in n cost O(k log n) statements, far below one per row.
    assert.ok(stats.writes < 2 * poisoned.size * Math.ceil(Math.log2(items.length)) + 1, `${stats.writes} statements`);
  });

  it('does not split when the database is unavailable: one statement, every item fails', async () => {
    const table = fakeTable(new Set([0, 1, 2, 3]), () => pgError('57P01'));
    const results = await writeSplitting([0, 1, 2, 3], table.write);
    assert.equal(table.statements.length, 1);
    assert.ok(results.every((r) => r?.failure.kind === 'unavailable'));
  });

  it('stops before the second half when the database goes away during the first', async () => {
    let calls = 0;
    const results = await writeSplitting([1, 2, 3, 4], async () => {
      calls++;
      throw calls === 1 ? pgError('22003') : pgError('08006');
    });
    assert.equal(calls, 2);
    assert.ok(results.every((r) => r?.failure.code === '08006'));
  });

  it('through a MicroBatcher, each add() settles with its own row', async () => {
    const table = fakeTable(new Set([2]));
    const sut = new MicroBatcher<number>((items) => writeSplitting(items, table.write), { maxBatch: 10, lingerMs: 5, maxConcurrentWrites: 1 });
    const settled = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => sut.add(i)));
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.deepEqual(sut.stats.written, 4);
  });
});
