import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { ProgressBook } from './progress-book';

describe(ProgressBook.name, () => {
  it('hands out only the calls whose usage changed since the last batch, and stops after forget()', () => {
    const book = new ProgressBook();
    const usage = { a: { inputTokens: 5, outputTokens: 0 }, b: { inputTokens: 7, outputTokens: 2 } };
    book.watch('a', () => usage.a);
    book.watch('b', () => usage.b);
    assert.deepEqual(book.takeChanged(), { requestIds: ['a', 'b'], inputTokens: [5, 7], outputTokens: [0, 2] }, 'first batch: reached upstream');
    assert.deepEqual(book.takeChanged().requestIds, [], 'nothing moved');
    usage.b = { inputTokens: 7, outputTokens: 9 };
    assert.deepEqual(book.takeChanged(), { requestIds: ['b'], inputTokens: [7], outputTokens: [9] });
    book.forget('b');
    usage.b = { inputTokens: 7, outputTokens: 10 };
    assert.deepEqual(book.takeChanged().requestIds, []);
    assert.equal(book.size, 1);
  });

  it('sends a failed batch again at the next tick, and a throwing probe does not stop the others', () => {
    const book = new ProgressBook();
    book.watch('bad', () => {
      throw new Error('tracker gone');
    });
    book.watch('ok', () => ({ inputTokens: 1, outputTokens: 1 }));
    const batch = book.takeChanged();
    assert.deepEqual(batch.requestIds, ['ok']);
    book.retry(batch);
    assert.deepEqual(book.takeChanged().requestIds, ['ok']);
  });

  it('costs well under a microsecond per call on the hot path (watch + forget)', () => {
    const book = new ProgressBook();
    const probe = () => ({ inputTokens: 1, outputTokens: 1 });
    const n = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      book.watch(`req_${i}`, probe);
      book.forget(`req_${i}`);
    }
    const usPerCall = ((performance.now() - t0) * 1000) / n;
    assert.ok(usPerCall < 5, `${usPerCall.toFixed(3)} µs per call`); // generous bound for a shared, noisy box
  });
});
