import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cappedBackoff, DEFAULT_JOB_OPTIONS, RETRY_BACKOFF_CAP_MS, RETRYABLE_ATTEMPTS } from './queue.constants';

describe('job retry budget', () => {
  it('backs off exponentially from 0.5 s and never waits longer than the cap', () => {
    assert.deepEqual([1, 2, 3, 4].map(cappedBackoff), [500, 1000, 2000, 4000]);
    assert.equal(cappedBackoff(50), RETRY_BACKOFF_CAP_MS);
    assert.equal(cappedBackoff(10_000), RETRY_BACKOFF_CAP_MS);
  });

  it('keeps a job retrying through a database outage of a day or more', () => {
    const attempts = DEFAULT_JOB_OPTIONS.attempts ?? 1;
    let waitedMs = 0;
    for (let n = 1; n < attempts; n++) waitedMs += cappedBackoff(n);
    assert.ok(waitedMs >= 24 * 3600_000, `only ${(waitedMs / 3600_000).toFixed(1)} h of retries`);
    assert.deepEqual(DEFAULT_JOB_OPTIONS.backoff, { type: 'capped', delay: 500 });
    assert.ok(RETRYABLE_ATTEMPTS < attempts, 'other failures are still dead-lettered after a few attempts');
  });
});
