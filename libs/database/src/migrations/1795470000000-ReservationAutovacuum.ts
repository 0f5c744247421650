import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: `credit_reservation` is a churn table (a row inserted at admission and deleted at settlement, for every
 * call), so it is small when live and large when dead. The default autovacuum trigger scales with the table
 * (`autovacuum_vacuum_scale_factor` 0.2 of its rows), which on a table of a few hundred live rows fires late and
 * then only after `autovacuum_naptime`, while 2,500 calls/s leave ~150k dead rows a minute. The reservation's
 * held-credits sum and the balance read both walk the organisation's index entries, dead ones included, until the
 * scan or VACUUM marks them. So this table gets its own trigger: a fixed threshold of 5,000 dead rows (two seconds of
 * a busy replica), no scale factor, no cost delay (a vacuum of a few thousand rows is cheap and should not sleep),
 * and the same for inserts so the visibility map stays current. A server with autovacuum off (the test machines)
 * ignores these settings; they are storage parameters only and change no result.
 */
const SETTINGS = [
  'autovacuum_vacuum_scale_factor = 0',
  'autovacuum_vacuum_threshold = 5000',
  'autovacuum_vacuum_insert_scale_factor = 0',
  'autovacuum_vacuum_insert_threshold = 5000',
  'autovacuum_vacuum_cost_delay = 0',
];

export class ReservationAutovacuum1795470000000 implements MigrationInterface {
  name = 'ReservationAutovacuum1795470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "credit_reservation" SET (${SETTINGS.join(', ')})`);
  }

  async down(q: QueryRunner): Promise<void> {
    const names = SETTINGS.map((s) => s.split(' ')[0]);
    await q.query(`ALTER TABLE "credit_reservation" RESET (${names.join(', ')})`);
  }
}
