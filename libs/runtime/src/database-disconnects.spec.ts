import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { isDroppedDatabaseConnection } from './database-disconnects';

/** A process with the guard installed that emits `error` on an emitter with no listener (as a pg client does). */
function run(errorExpr: string): { status: number | null; out: string } {
  const script = `
    const { guardDatabaseDisconnects } = require(${JSON.stringify(require.resolve('./database-disconnects'))});
    const lines = [];
    const logger = { warn: (_o, m) => lines.push('warn ' + m), fatal: (_o, m) => lines.push('fatal ' + m) };
    guardDatabaseDisconnects(logger, (code) => { console.log(lines.join('|')); process.exit(code); });
    setTimeout(() => new (require('node:events'))().emit('error', ${errorExpr}), 5);
    setTimeout(() => { console.log(lines.join('|') + '|alive'); }, 60);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, out: r.stdout.trim() };
}

void describe('guardDatabaseDisconnects', () => {
  void it('keeps the process alive when Postgres ends an idle connection, and says so once', () => {
    const r = run(`Object.assign(new Error('terminating connection due to administrator command'), { severity: 'FATAL', code: '57P01' })`);
    assert.equal(r.status, 0);
    assert.equal(r.out, 'warn a database connection was dropped (terminating connection due to administrator command); its users retry|alive');
  });

  void it('still ends the process on any other uncaught exception', () => {
    const r = run(`new Error('a real bug')`);
    assert.equal(r.status, 1);
    assert.equal(r.out, 'fatal uncaught exception');
    assert.equal(run(`Object.assign(new Error('syntax error'), { severity: 'ERROR', code: '42601' })`).status, 1, 'an ordinary SQL error is not a dropped connection');
  });

  void it('recognises class 57 shutdowns and node-postgres socket cuts only', () => {
    assert.ok(isDroppedDatabaseConnection({ severity: 'FATAL', code: '57P02', message: 'crash shutdown' }));
    assert.ok(isDroppedDatabaseConnection({ severity: 'FATAL', code: '57P03', message: 'the database system is starting up' }));
    assert.ok(!isDroppedDatabaseConnection({ severity: 'FATAL', code: '28P01', message: 'password authentication failed' }));
    assert.ok(!isDroppedDatabaseConnection({ message: 'Connection terminated unexpectedly', stack: 'at someone/else.js' }));
    assert.ok(isDroppedDatabaseConnection({ message: 'Connection terminated unexpectedly', stack: 'at /x/node_modules/pg/lib/client.js:1' }));
    assert.ok(!isDroppedDatabaseConnection(undefined));
  });
});
