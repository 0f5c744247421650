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

  it('under steady load, a batch waits for the records its predecessor accepted before it, not for an empty buffer', async () => {
    const log: string[] = [];
    const audit = producer('audit', log, 50, 3);
    const recordedAt = new Map<string, number>();
    const lags: number[] = [];
    const billingQueue = recordingQueue('billing', log, 3);
    const addBulk = billingQueue.addBulk.bind(billingQueue);
    billingQueue.addBulk = (async (jobs: Array<{ opts: { jobId: string } }>) => {
      const r = await addBulk(jobs as never);
      for (const j of jobs) lags.push(Date.now() - recordedAt.get(j.opts.jobId)!);
      return r;
    }) as typeof billingQueue.addBulk;
    const billing = new BufferedProducer<{ id: string }>(billingQueue, { label: 'billing', jobName: 'billing', jobId: (r) => r.id }, { batchSize: 100, flushMs: 50, maxBuffered: 1000 });
    billing.enqueueAfter(audit);
    // A call's two records every millisecond for 1.5 s: the audit buffer is never empty for long.
    for (let i = 0, end = Date.now() + 1_500; Date.now() < end; i++) {
      recordedAt.set(`r${i}`, Date.now());
      billing.record({ id: `r${i}` });
      audit.record({ id: `r${i}` });
      await new Promise((r) => setTimeout(r, 1));
    }
    await audit.flush();
    await billing.flush();
    const sent = log.filter((l) => l.startsWith('billing:')).length;
    assert.equal(sent, recordedAt.size, 'every billing record was enqueued');
    for (const id of recordedAt.keys()) assert.ok(log.indexOf(`audit:${id}`) < log.indexOf(`billing:${id}`), `audit before billing for ${id}`);
    lags.sort((a, b) => a - b);
    // Waiting for an empty audit buffer held billing records until the load stopped (here up to 1.5 s).
    assert.ok(lags[Math.floor(lags.length * 0.99)] < 500, `billing lag p99 ${lags[Math.floor(lags.length * 0.99)]} ms, max ${lags.at(-1)} ms`);
  });

  it('does not hold a batch forever when the predecessor cannot send', async () => {
    const log: string[] = [];
    const stuck = { sendAccepted: async () => false }; // reports its records not sent, at once
    const billing = producer('billing', log, 0);
    billing.enqueueAfter(stuck);
    billing.record({ id: 'r2' });
    assert.equal(await billing.flush(), 0);
    assert.deepEqual(log, ['billing:r2']);
  });
});

describe('BufferedProducer.defer', () => {
  it('records after the turn, and a follower batch that leaves first still waits for the deferred record', async () => {
    const log: string[] = [];
    const audit = producer('audit', log, 50);
    const billing = producer('billing', log, 0);
    billing.enqueueAfter(audit);
    audit.defer(() => audit.record({ id: 'r1' })); // the audit record, deferred past the response write
    billing.record({ id: 'r1' }); // the settlement, recorded at once
    assert.equal(audit.stats.buffered, 0, 'not recorded synchronously');
    assert.equal(audit.pending, 1, 'but counted as pending');
    await billing.flush(); // its batch runs the deferred work before it reads what the audit producer accepted
    await audit.flush();
    assert.deepEqual(log, ['audit:r1', 'billing:r1']);
  });

  it('runs on its own after the I/O of the turn; a flush or close runs what waits, and a failing builder loses only its record', async () => {
    const log: string[] = [];
    const audit = producer('audit', log, 10);
    audit.defer(() => audit.record({ id: 'soon' }));
    await new Promise((r) => setImmediate(r));
    assert.equal(audit.pending, 1, 'recorded by the immediate');
    assert.equal(await audit.flush(), 0);
    audit.defer(() => {
      throw new Error('boom');
    });
    audit.defer(() => audit.record({ id: 'late' }));
    await audit.close(); // before the immediate fires
    assert.deepEqual(log, ['audit:soon', 'audit:late']);
    assert.equal(audit.stats.dropped, 1, 'the failing builder is counted as a lost record');
  });
});
