import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHistograms, parseScrape, windowOf } from './scraped-histograms';

const scrape = (a: number[], b: number[], sums: [number, number]) =>
  [
    '# HELP gateway_ttft_seconds Arrival to the first generated token (streams)',
    '# TYPE gateway_ttft_seconds histogram',
    ...['0.001', '0.01', '0.1', '+Inf'].map((le, i) => `gateway_ttft_seconds_bucket{le="${le}",surface="chat.completions"} ${a[i]}`),
    `gateway_ttft_seconds_sum{surface="chat.completions"} ${sums[0]}`,
    `gateway_ttft_seconds_count{surface="chat.completions"} ${a[3]}`,
    ...['0.001', '0.01', '0.1', '+Inf'].map((le, i) => `gateway_ttft_seconds_bucket{le="${le}",surface="messages"} ${b[i]}`),
    `gateway_ttft_seconds_sum{surface="messages"} ${sums[1]}`,
    `gateway_ttft_seconds_count{surface="messages"} ${b[3]}`,
    'gateway_requests_total{surface="messages",status="200",model="m"} 4',
  ].join('\n');

describe('scraped histograms (the S5 gateway view)', () => {
  it('sums label sets and reads a window as count, mean and bucket-bound percentiles', () => {
    const before = parseHistograms(scrape([1, 2, 2, 2], [0, 0, 0, 0], [0.004, 0]));
    // Window: 100 observations, 60 ≤ 1 ms, 39 in (1, 10] ms, 1 in (10, 100] ms; 0.5 s in all.
    const after = parseHistograms(scrape([61, 80, 81, 81], [0, 21, 21, 21], [0.304, 0.2]));
    assert.equal(before.get('gateway_requests_total'), undefined, 'a counter is not a histogram');
    const w = windowOf(before.get('gateway_ttft_seconds'), after.get('gateway_ttft_seconds'))!;
    assert.equal(w.count, 100);
    assert.ok(Math.abs(w.meanMs - 5) < 1e-9);
    assert.equal(w.p50Ms, 1);
    assert.equal(w.p99Ms, 10);
  });

  it('a window that observed nothing, or a histogram the scrape lacks, reads as undefined', () => {
    const h = parseHistograms(scrape([1, 2, 2, 2], [0, 0, 0, 0], [0.004, 0])).get('gateway_ttft_seconds');
    assert.equal(windowOf(h, h), undefined);
    assert.equal(windowOf(undefined, undefined), undefined);
  });

  it("keeps a scrape's samples without labels (the event-loop delay gauges) by name", () => {
    const s = parseScrape(`${scrape([1, 2, 2, 2], [0, 0, 0, 0], [0.004, 0])}\ngateway_nodejs_eventloop_lag_p99_seconds 0.0125\n`);
    assert.equal(s.values.get('gateway_nodejs_eventloop_lag_p99_seconds'), 0.0125);
    assert.equal(s.values.has('gateway_requests_total'), false, 'a labelled sample is not kept as a plain value');
    assert.equal(s.histograms.get('gateway_ttft_seconds')?.count, 2);
  });

  it('a percentile above the largest finite bucket is Infinity', () => {
    const after = parseHistograms(scrape([0, 0, 0, 5], [0, 0, 0, 0], [5, 0])).get('gateway_ttft_seconds');
    assert.equal(windowOf(undefined, after)!.p99Ms, Infinity);
  });
});
