import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTimeZone, quotaWindow } from '@gw/metering';
import { middayZone } from './midday-zone';

const HOUR = 3_600_000;

describe('middayZone (test support)', () => {
  it('for every instant of a day, names a zone the config accepts, whose day, week and month are ≥ 11 h from either edge', () => {
    const day = Date.UTC(2026, 11, 31); // a month's and a year's last day, so every window ends within it
    for (let ms = day; ms < day + 24 * HOUR; ms += 10 * 60_000) {
      const zone = middayZone(ms);
      assert.ok(isValidTimeZone(zone), zone);
      assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: zone }), zone); // what QUOTA_TIMEZONE's check runs
      for (const name of ['daily', 'weekly', 'monthly'] as const) {
        const w = quotaWindow(name, ms, zone);
        assert.ok(ms - w.startMs >= 11 * HOUR && w.resetAtMs - ms >= 11 * HOUR, `${name} ${zone} at ${new Date(ms).toISOString()}`);
      }
    }
  });
});
