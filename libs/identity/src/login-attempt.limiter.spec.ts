import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginAttemptLimiter } from './login-attempt.limiter';

describe(LoginAttemptLimiter.name, () => {
  it('allows `limit` failures per key in a sliding minute, then reports the wait', () => {
    let now = 1_000_000;
    const sut = new LoginAttemptLimiter(2, 60_000, () => now);
    assert.equal(sut.retryAfterSeconds('a'), 0);
    sut.recordFailure('a');
    now += 10_000;
    sut.recordFailure('a');
    assert.equal(sut.retryAfterSeconds('a'), 50);
    assert.equal(sut.retryAfterSeconds('b'), 0, 'keys are independent');
    now += 50_001;
    assert.equal(sut.retryAfterSeconds('a'), 0, 'the oldest failure left the window');
    sut.recordFailure('a');
    assert.equal(sut.retryAfterSeconds('a'), 10);
  });

  it('reset clears a key', () => {
    const sut = new LoginAttemptLimiter(1);
    sut.recordFailure('a');
    assert.ok(sut.retryAfterSeconds('a') > 0);
    sut.reset('a');
    assert.equal(sut.retryAfterSeconds('a'), 0);
  });
});
