import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidTimeZone, quotaWindow, type QuotaWindowName } from './quota-window';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const hours = (w: { startMs: number; resetAtMs: number }) => (w.resetAtMs - w.startMs) / 3_600_000;

describe(quotaWindow.name, () => {
  it('month end: Jan 31 resets on Feb 1, Dec 31 on Jan 1 of the next year', () => {
    const jan31 = quotaWindow('daily', at('2026-01-31T23:59:59.999Z'), 'UTC');
    assert.deepEqual(jan31, { name: 'daily', id: 'd2026-01-31', startMs: at('2026-01-31T00:00:00Z'), resetAtMs: at('2026-02-01T00:00:00Z') });
    assert.equal(iso(quotaWindow('monthly', at('2026-01-31T12:00:00Z'), 'UTC').resetAtMs), '2026-02-01T00:00:00.000Z');
    const dec31 = quotaWindow('daily', at('2026-12-31T18:00:00Z'), 'UTC');
    assert.equal(dec31.id, 'd2026-12-31');
    assert.equal(iso(dec31.resetAtMs), '2027-01-01T00:00:00.000Z');
    const december = quotaWindow('monthly', at('2026-12-31T18:00:00Z'), 'UTC');
    assert.equal(december.id, 'm2026-12');
    assert.equal(iso(december.startMs), '2026-12-01T00:00:00.000Z');
    assert.equal(iso(december.resetAtMs), '2027-01-01T00:00:00.000Z');
    const week = quotaWindow('weekly', at('2026-12-31T18:00:00Z'), 'UTC'); // a Thursday: the week crosses the year
    assert.equal(week.id, 'w2026-12-28');
    assert.equal(iso(week.resetAtMs), '2027-01-04T00:00:00.000Z');
  });

  it('leap years: Feb 29 2028 is a day, Feb 2028 has 29 days and resets Mar 1, Feb 2027 has 28', () => {
    const leapDay = quotaWindow('daily', at('2028-02-29T10:00:00Z'), 'UTC');
    assert.equal(leapDay.id, 'd2028-02-29');
    assert.equal(iso(leapDay.resetAtMs), '2028-03-01T00:00:00.000Z');
    assert.equal(hours(leapDay), 24);
    const feb2028 = quotaWindow('monthly', at('2028-02-29T10:00:00Z'), 'UTC');
    assert.equal(feb2028.id, 'm2028-02');
    assert.equal(iso(feb2028.resetAtMs), '2028-03-01T00:00:00.000Z');
    assert.equal(hours(feb2028) / 24, 29);
    const feb2027 = quotaWindow('monthly', at('2027-02-14T10:00:00Z'), 'UTC');
    assert.equal(hours(feb2027) / 24, 28);
    assert.equal(iso(feb2027.resetAtMs), '2027-03-01T00:00:00.000Z');
  });

  it('DST: days of 23 and 25 hours and weeks that span the change, on the local calendar', () => {
    const spring = quotaWindow('daily', at('2026-03-08T15:00:00Z'), 'America/New_York');
    assert.equal(spring.id, 'd2026-03-08');
    assert.equal(iso(spring.startMs), '2026-03-08T05:00:00.000Z', 'local midnight, EST');
    assert.equal(iso(spring.resetAtMs), '2026-03-09T04:00:00.000Z', 'next local midnight, EDT');
    assert.equal(hours(spring), 23);
    const autumn = quotaWindow('daily', at('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    assert.equal(autumn.id, 'd2026-10-25');
    assert.equal(iso(autumn.startMs), '2026-10-24T22:00:00.000Z');
    assert.equal(hours(autumn), 25);
    const berlinWeek = quotaWindow('weekly', at('2026-10-25T12:00:00Z'), 'Europe/Berlin');
    assert.equal(berlinWeek.id, 'w2026-10-19');
    assert.equal(hours(berlinWeek), 7 * 24 + 1);
    const nyWeek = quotaWindow('weekly', at('2026-03-08T15:00:00Z'), 'America/New_York');
    assert.equal(nyWeek.id, 'w2026-03-02');
    assert.equal(hours(nyWeek), 7 * 24 - 1);
    assert.equal(hours(quotaWindow('monthly', at('2026-03-08T15:00:00Z'), 'America/New_York')), 31 * 24 - 1);
  });

  it('weeks start on Monday at local midnight', () => {
    assert.equal(quotaWindow('weekly', at('2026-12-04T12:00:00Z'), 'UTC').id, 'w2026-11-30', 'a Friday');
    assert.equal(quotaWindow('weekly', at('2026-12-06T23:59:59.999Z'), 'UTC').id, 'w2026-11-30', 'Sunday is the last day');
    const monday = quotaWindow('weekly', at('2026-12-07T00:00:00Z'), 'UTC');
    assert.equal(monday.id, 'w2026-12-07');
    assert.equal(monday.startMs, at('2026-12-07T00:00:00Z'));
    // Sunday 20:00 UTC is already Monday 05:00 in Tokyo.
    const tokyo = quotaWindow('weekly', at('2026-12-06T20:00:00Z'), 'Asia/Tokyo');
    assert.equal(tokyo.id, 'w2026-12-07');
    assert.equal(iso(tokyo.startMs), '2026-12-06T15:00:00.000Z');
  });

  it('ids are stable inside a window and change at its reset', () => {
    const names: QuotaWindowName[] = ['daily', 'weekly', 'monthly'];
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York']) {
      for (const name of names) {
        const first = quotaWindow(name, at('2026-10-20T09:30:00Z'), zone);
        for (let t = first.startMs; t < first.resetAtMs; t += 3_600_000 * 7 + 1) {
          assert.deepEqual(quotaWindow(name, t, zone), first, `${name} ${zone} at ${iso(t)}`);
        }
        assert.deepEqual(quotaWindow(name, first.resetAtMs - 1, zone), first);
        const next = quotaWindow(name, first.resetAtMs, zone);
        assert.notEqual(next.id, first.id);
        assert.equal(next.startMs, first.resetAtMs, 'windows tile time without gaps');
      }
    }
  });

  it('rejects unknown zones, and isValidTimeZone tells them apart', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata']) assert.equal(isValidTimeZone(tz), true, tz);
    for (const tz of ['', ' ', 'Mars/Olympus_Mons', 'Europe/Berlinn', 'local', 'system']) assert.equal(isValidTimeZone(tz), false, tz);
    assert.throws(() => quotaWindow('daily', Date.now(), 'Mars/Olympus_Mons'), RangeError);
    assert.throws(() => quotaWindow('daily', Date.now(), 'system'), RangeError);
  });
});
