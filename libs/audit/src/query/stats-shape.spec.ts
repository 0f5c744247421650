import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupedStatsRow } from './query-sql';
import { shapeStats, STATS_NONE } from './stats-shape';

const grouped: GroupedStatsRow[] = [
  { dim: 'total', k: null, n: '10' },
  { dim: 'decision', k: 'allow', n: '5' },
  { dim: 'decision', k: 'refuse', n: '3' },
  { dim: 'decision', k: null, n: '2' },
  { dim: 'project', k: 'p2', n: '4' },
  { dim: 'project', k: 'p1', n: '4' },
  { dim: 'project', k: null, n: 2 },
  { dim: 'day', k: '2026-05-03', n: '7' },
  { dim: 'day', k: '2026-05-01', n: '3' },
];

describe('shapeStats', () => {
  it('shapes counts as numbers, ranked; no value counts under (none); days filled with zeros over the range', () => {
    const s = shapeStats({ from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-05-04T00:00:00Z') }, grouped, [
      { k: 'violence', n: '1' },
      { k: 'self-harm', n: '4' },
    ]);
    assert.deepEqual(s, {
      from: '2026-05-01T00:00:00.000Z',
      to: '2026-05-04T00:00:00.000Z',
      total: 10,
      by_decision: { allow: 5, refuse: 3, [STATS_NONE]: 2 },
      by_category: { 'self-harm': 4, violence: 1 },
      by_project: { p1: 4, p2: 4, [STATS_NONE]: 2 },
      by_day: [
        { day: '2026-05-01', count: 3 },
        { day: '2026-05-02', count: 0 },
        { day: '2026-05-03', count: 7 },
      ],
    });
    assert.deepEqual(Object.keys(s.by_decision), ['allow', 'refuse', STATS_NONE], 'largest first');
    assert.equal(Object.values(s.by_decision).reduce((a, b) => a + b), s.total);
  });

  it('a range ending mid-day includes that day; to is exclusive at midnight', () => {
    const days = (from: string, to: string) => shapeStats({ from: new Date(from), to: new Date(to) }, [], []).by_day.map((d) => d.day);
    assert.deepEqual(days('2026-05-01T23:00:00Z', '2026-05-02T00:00:00.001Z'), ['2026-05-01', '2026-05-02']);
    assert.deepEqual(days('2026-05-01T23:00:00Z', '2026-05-02T00:00:00Z'), ['2026-05-01']);
    assert.deepEqual(days('2025-12-31T00:00:00Z', '2026-01-02T00:00:00Z'), ['2025-12-31', '2026-01-01']);
  });

  it('an open or very long range lists only the days with events, ascending; no rows means zero', () => {
    const open = shapeStats({}, grouped, []);
    assert.deepEqual(open.by_day, [{ day: '2026-05-01', count: 3 }, { day: '2026-05-03', count: 7 }]);
    assert.deepEqual([open.from, open.to], [null, null]);
    const long = shapeStats({ from: new Date('2000-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') }, grouped, []);
    assert.equal(long.by_day.length, 2);
    const empty = shapeStats({}, [], []);
    assert.deepEqual([empty.total, empty.by_decision, empty.by_day], [0, {}, []]);
  });
});
