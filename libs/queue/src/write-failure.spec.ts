import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyWriteError, describeFailure, messageTemplate, WriteFailureError } from './write-failure';

/** The shape of pg's DatabaseError (what node-postgres throws for an ErrorResponse). */
const pgError = (code: string, message: string, fields: Record<string, string> = {}) => Object.assign(new Error(message), { code, severity: 'ERROR', ...fields });
/** TypeORM's QueryFailedError keeps the driver error and the query's parameters. */
const queryFailed = (driverError: Error) => Object.assign(new Error(driverError.message), { name: 'QueryFailedError', driverError, query: 'INSERT ...', parameters: [['secret']] });

describe('classifyWriteError', () => {
  it('data errors (class 22, 23, 54000) belong to a row', () => {
    for (const code of ['22021', '22003', '22P02', '22P05', '22007', '23505', '23503', '23502', '54000']) {
      assert.equal(classifyWriteError(pgError(code, 'x')).kind, 'data', code);
    }
  });

  it('an unreachable or unusable database is "unavailable": never a row\'s fault', () => {
    const cases = [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('08006', 'connection failure'),
      pgError('53100', 'could not extend file'),
      pgError('42501', 'permission denied for table audit_event'),
      pgError('42P01', 'relation "audit_event" does not exist'),
      pgError('25006', 'cannot execute INSERT in a read-only transaction'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ];
    for (const err of cases) assert.equal(classifyWriteError(err).kind, 'unavailable', err.message);
  });

  it('serialization failures, deadlocks and unknown errors are retryable', () => {
    for (const err of [pgError('40001', 'could not serialize access'), pgError('40P01', 'deadlock detected'), new TypeError('x is not a function')]) {
      assert.equal(classifyWriteError(err).kind, 'retryable', err.message);
    }
  });

  it('reads the driver error inside TypeORM\'s QueryFailedError, and keeps object names, not values', () => {
    const f = classifyWriteError(queryFailed(pgError('23503', 'insert or update on table "credit_ledger" violates foreign key constraint "FK_x"', { table: 'credit_ledger', constraint: 'FK_x', detail: 'Key (org_id)=(secret-org) is not present' })));
    assert.deepEqual({ kind: f.kind, code: f.code, table: f.table, constraint: f.constraint }, { kind: 'data', code: '23503', table: 'credit_ledger', constraint: 'FK_x' });
    assert.doesNotMatch(JSON.stringify(f), /secret/);
  });
});

describe('messageTemplate / describeFailure', () => {
  it('removes the values Postgres quotes in its messages', () => {
    const cases: Array<[string, string]> = [
      ['invalid input syntax for type uuid: "acme-secret"', 'invalid input syntax for type uuid: "…"'],
      ['value "77777" is out of range for type smallint', 'value "…" is out of range for type smallint'],
      ['invalid byte sequence for encoding "UTF8": 0x00', 'invalid byte sequence for encoding "…": 0x…'],
      ["Cannot read properties of undefined (reading 'secret')", "Cannot read properties of undefined (reading '…')"],
      ['unterminated "quote with secret', 'unterminated "…"'],
      ['id 3123456789 too big', 'id … too big'],
    ];
    for (const [raw, want] of cases) assert.equal(messageTemplate(raw), want);
    assert.equal(messageTemplate('a\u0000b\ud800'), 'a?b?');
    assert.ok(messageTemplate('x'.repeat(1000)).length <= 200);
  });

  it('a WriteFailureError\'s message is the log-safe description', () => {
    const err = new WriteFailureError(classifyWriteError(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00', { table: 'audit_event', column: 'model' })));
    assert.equal(err.message, 'SQLSTATE 22021 (audit_event.model): invalid byte sequence for encoding "…": 0x…');
    assert.equal(describeFailure(err.failure), err.message);
  });
});
