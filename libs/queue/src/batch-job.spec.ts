import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from 'bullmq';
import { processBatchJob, type RecordSink } from './batch-job';
import { WriteFailureError, type WriteFailure } from './write-failure';

interface Rec {
  id: string;
}

const job = (data: unknown, attemptsMade = 0, attempts = 8) => ({ id: 'b.1.audit-batch', name: 'audit-batch', data, attemptsMade, opts: { attempts } }) as unknown as Job<unknown, void>;
const spec = { recordJobName: 'audit-event', recordKey: (raw: unknown) => `${(raw as Rec).id.toString()}.audit` };

/** A sink whose writes fail with `failures[id]` and which records what it wrote and dead-lettered. */
function sink(failures: Record<string, WriteFailure> = {}) {
  const written: string[] = [];
  const dead: Array<{ key: string; jobName: string; code: string }> = [];
  const s: RecordSink<Rec> = {
    parse(raw) {
      const r = raw as Partial<Rec>;
      if (typeof r?.id !== 'string') throw new Error('invalid record: id must be a string');
      return r as Rec;
    },
    async add(item) {
      const f = failures[item.id];
      if (f) throw new WriteFailureError(f);
      written.push(item.id);
    },
    async deadLetter(_job, record, failure) {
      dead.push({ key: record?.key ?? 'the job', jobName: record?.jobName ?? 'the job', code: failure.code });
    },
  };
  return { s, written, dead };
}

const dataError: WriteFailure = { kind: 'data', code: '22021', message: 'invalid byte sequence' };
const retryable: WriteFailure = { kind: 'retryable', code: '40P01', message: 'deadlock detected' };

describe('processBatchJob', () => {
  it('writes every record of the batch', async () => {
    const { s, written, dead } = sink();
    await processBatchJob(job({ v: 1, records: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }), spec, s);
    assert.deepEqual(written, ['a', 'b', 'c']);
    assert.deepEqual(dead, []);
  });

  it('dead-letters an invalid or poisoned record alone, under its own key and job name; the others are written', async () => {
    const { s, written, dead } = sink({ b: dataError });
    await processBatchJob(job({ v: 1, records: [{ id: 'a' }, { id: 'b' }, { nope: 1 }, { id: 'd' }] }), spec, s);
    assert.deepEqual(written, ['a', 'd']);
    assert.deepEqual(
      dead.sort((x, y) => x.key.localeCompare(y.key)),
      [
        { key: 'b.1.audit-batch#2', jobName: 'audit-event', code: 'invalid_payload' },
        { key: 'b.audit', jobName: 'audit-event', code: '22021' },
      ],
    );
  });

  it('fails the job (BullMQ retries it) when a write fails retryably before the last attempt, and dead-letters it on the last', async () => {
    const first = sink({ b: retryable });
    await assert.rejects(processBatchJob(job({ v: 1, records: [{ id: 'a' }, { id: 'b' }] }), spec, first.s), WriteFailureError);
    assert.deepEqual(first.written, ['a']);
    assert.deepEqual(first.dead, []);
    const last = sink({ b: retryable });
    await processBatchJob(job({ v: 1, records: [{ id: 'a' }, { id: 'b' }] }, 7, 8), spec, last.s);
    assert.deepEqual(last.dead, [{ key: 'b.audit', jobName: 'audit-event', code: '40P01' }]);
  });

  it('dead-letters a payload that is not a batch as a whole', async () => {
    const { s, written, dead } = sink();
    await processBatchJob(job({ v: 2, records: 'x' }), spec, s);
    assert.deepEqual(written, []);
    assert.deepEqual(dead, [{ key: 'b.1.audit-batch', jobName: 'audit-batch', code: 'invalid_payload' }]);
  });
});
