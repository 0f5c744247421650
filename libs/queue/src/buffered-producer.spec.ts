import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Queue } from 'bullmq';
import { BufferedProducer } from './buffered-producer';

/** Records, in order, which queue accepted which job ids (a stand-in for `Queue.addBulk` and `on` only). */
function recordingQueue(name: string, log: string[], delayMs = 0): Queue {
  return {
    on: () => undefined,
    addBulk: async (jobs: Array<{ opts: { jobId: string } }>) => {
      await new Promise((r) => setTimeout(r, delayMs));
      for (const j of jobs) log.push(`${name}:${j.opts.jobId}`);
      return [];
    },
  } as unknown as Queue;
}

const producer = (name: string, log: string[], flushMs: number, delayMs = 0) =>
  new BufferedProducer<{ id: string }>(recordingQueue(name, log, delayMs), { label: name, jobName: name, jobId: (r) => r.id }, { batchSize: 100, flushMs, maxBuffered: 1000 });

describe('BufferedProducer.enqueueAfter', () => {
  it('enqueues a batch only after the predecessor sent what it held, even when the predecessor is slower', async () => {
    const log: string[] = [];
    const audit = producer('audit', log, 50, 30);
    const billing = producer('billing', log, 0);
    billing.enqueueAfter(audit);
    billing.record({ id: 'r1' }); // billing first, as when a failed stream settles before it is audited
    audit.record({ id: 'r1' });
    await billing.flush();
    await audit.flush();
    assert.deepEqual(log, ['audit:r1', 'billing:r1']);
  });

  it('without it, the faster producer goes first (what the ordering prevents)', async () => {
    const log: string[] = [];
    const audit = producer('audit', log, 50, 30);
    const billing = producer('billing', log, 0);
    billing.record({ id: 'r1' });
    audit.record({ id: 'r1' });
    await billing.flush();
    await audit.flush();
    assert.deepEqual(log, ['billing:r1', 'audit:r1']);
  });

  it('does not hold a batch forever when the predecessor cannot send', async () => {
    const log: string[] = [];
    const stuck = { flush: async () => 1 }; // reports one record still pending, at once
    const billing = producer('billing', log, 0);
    billing.enqueueAfter(stuck);
    billing.record({ id: 'r2' });
    assert.equal(await billing.flush(), 0);
    assert.deepEqual(log, ['billing:r2']);
  });
});
