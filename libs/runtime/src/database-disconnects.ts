import type { Logger } from 'pino';

/**
 * Postgres ended a connection that nobody was querying on (a restart, a failover, `pg_terminate_backend`): node-postgres
 * then emits `error` on that client, and a client checked out of a pool between two queries has no listener, so the
 * emit throws and used to end the process. Seen in the "Postgres restarted under load" fault test: the control-plane
 * thread died with `57P01 terminating connection due to administrator command`, and the gateway stopped with it. The
 * client is dead either way; its owner's next query fails and retries, so the process keeps going. Everything else
 * still ends the process, as an uncaught exception does by default.
 */
export function guardDatabaseDisconnects(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  let last = 0;
  process.on('uncaughtException', (err: unknown) => {
    if (isDroppedDatabaseConnection(err)) {
      if (Date.now() - last > 5_000) logger.warn({ code: (err as { code?: string }).code }, `a database connection was dropped (${(err as Error).message}); its users retry`);
      last = Date.now();
      return;
    }
    logger.fatal({ err }, 'uncaught exception');
    exit(1);
  });
}

/** Server-side ends of a connection (class 57: operator intervention) and node-postgres's own for a socket cut. */
export function isDroppedDatabaseConnection(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { severity?: unknown; code?: unknown; message?: unknown; stack?: unknown };
  if (e.severity === 'FATAL' && typeof e.code === 'string' && /^57P0[1-3]$/.test(e.code)) return true;
  return e.message === 'Connection terminated unexpectedly' && typeof e.stack === 'string' && e.stack.includes('/pg/lib/');
}
