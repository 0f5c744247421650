/**
 * A fixed-offset IANA zone (`Etc/GMT-5` is UTC+5: POSIX signs) in which the current instant is within an hour of noon.
 *
 * Quota windows are calendar days, weeks and months in `QUOTA_TIMEZONE`. A test that reserves, waits and reads
 * usage with the real clock would see its counters vanish if the window rolled over mid-test: the stop-30 CI run
 * crossed midnight UTC and failed `policy-projects` that way. With the zone chosen at process start so that it is
 * about 12:00 there, no day, week or month boundary falls within ~11 hours of the run.
 */
export function middayZone(nowMs = Date.now()): string {
  const offset = 12 - new Date(nowMs).getUTCHours(); // −11 … +12 hours east of UTC; Etc/GMT+12 … Etc/GMT-14 exist
  return offset === 0 ? 'UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** Computed once per test process, so every replica and store a test starts agrees on the windows. */
export const MIDDAY_ZONE = middayZone();
