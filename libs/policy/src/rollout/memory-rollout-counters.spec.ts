import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRolloutCounters } from './memory-rollout-counters';

const scope = (policyId: string, epoch = 0) => ({ orgId: 'o', policyId, version: 1, epoch });
const M = 29_000_000; // a minute number (since the epoch)

describe(MemoryRolloutCounters.name, () => {
  it('sums the window ending with the latest increment, per scope', async () => {
    const sut = new MemoryRolloutCounters();
    const [a, b] = await sut.addAndRead([
      { scope: scope('a'), windowMinutes: 3, increments: [{ bucket: M, total: 4, hits: 1 }] },
      { scope: scope('b'), windowMinutes: 3, increments: [{ bucket: M, total: 2, hits: 2 }] },
    ]);
    assert.deepEqual([a, b], [{ total: 4, hits: 1 }, { total: 2, hits: 2 }]);
    const [later] = await sut.addAndRead([{ scope: scope('a'), windowMinutes: 3, increments: [{ bucket: M + 2, total: 1, hits: 0 }] }]);
    assert.deepEqual(later, { total: 5, hits: 1 }, 'minute M is still inside [M, M+2]');
    const [out] = await sut.addAndRead([{ scope: scope('a'), windowMinutes: 3, increments: [{ bucket: M + 3, total: 1, hits: 1 }] }]);
    assert.deepEqual(out, { total: 2, hits: 1 }, 'minute M slid out');
    const [other] = await sut.addAndRead([{ scope: scope('a', 1), windowMinutes: 3, increments: [{ bucket: M + 3, total: 1, hits: 0 }] }]);
    assert.deepEqual(other, { total: 1, hits: 0 }, 'another epoch counts apart');
  });

  it('drops buckets once they are past their window and margin', async () => {
    const sut = new MemoryRolloutCounters();
    await sut.addAndRead([{ scope: scope('a'), windowMinutes: 3, increments: [{ bucket: M, total: 1, hits: 0 }] }]);
    await sut.addAndRead([{ scope: scope('b'), windowMinutes: 3, increments: [{ bucket: M + 5, total: 1, hits: 0 }] }]);
    assert.equal(sut.size, 2);
    await sut.addAndRead([{ scope: scope('b'), windowMinutes: 3, increments: [{ bucket: M + 60, total: 1, hits: 0 }] }]);
    assert.equal(sut.size, 1);
  });
});
