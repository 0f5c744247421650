import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryJobId, parseDeliveryJob, rangesAfter } from './delivery-job';

const C = '7d1f1f5e-3a2b-4c5d-8e9f-0a1b2c3d4e5f';
const O = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('connector delivery jobs', () => {
  it('splits (cursor, head] into ranges of at most `size`, at most `max` of them, without gaps or overlap', () => {
    assert.deepEqual(rangesAfter(0, 5, 2, 10), [{ from: 1, to: 2 }, { from: 3, to: 4 }, { from: 5, to: 5 }]);
    assert.deepEqual(rangesAfter(10, 10, 5, 10), []);
    assert.deepEqual(rangesAfter(3, 100, 10, 2), [{ from: 4, to: 13 }, { from: 14, to: 23 }], 'the rest waits for the next tick');
    for (const [cursor, head, size] of [[0, 1, 1], [7, 1000, 13], [999, 1001, 200]]) {
      const r = rangesAfter(cursor, head, size, 1e6);
      assert.equal(r[0].from, cursor + 1);
      assert.equal(r[r.length - 1].to, head);
      for (let i = 1; i < r.length; i++) assert.equal(r[i].from, r[i - 1].to + 1);
      assert.ok(r.every((x) => x.to - x.from + 1 <= size));
    }
  });

  it('parses a job or names what is wrong; ids are stable per range and distinct per replay', () => {
    const job = { c: C, o: O, from: 3, to: 9 };
    assert.deepEqual(parseDeliveryJob(job), job);
    assert.throws(() => parseDeliveryJob({ ...job, c: 'x' }), /c must be a connector id/);
    assert.throws(() => parseDeliveryJob({ ...job, o: 5 }), /o must be an organisation id/);
    assert.throws(() => parseDeliveryJob({ ...job, from: 10 }), /seq range/);
    assert.throws(() => parseDeliveryJob({ ...job, from: 0 }), /seq range/);
    assert.throws(() => parseDeliveryJob(null), /connector id/);
    assert.equal(deliveryJobId(job), `conn.${C}.3-9`);
    assert.notEqual(deliveryJobId(job, 'a'), deliveryJobId(job, 'b'));
    assert.equal(deliveryJobId(job).includes(':'), false, 'BullMQ refuses ":" in custom ids');
  });
});
