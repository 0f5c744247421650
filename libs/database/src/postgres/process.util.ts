import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Linux process helpers over /proc (embedded Postgres only runs on the machine it was started on). */

interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

/** Parses /proc/<pid>/stat; undefined when the process does not exist. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', ppid: Number(rest[1]), startTime: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

/** A zombie has exited already: it only waits for its parent to reap it. */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

/**
 * Stops a postmaster we do not (or no longer) hold as a child: fast shutdown (SIGINT), then
 * immediate shutdown (SIGQUIT), then SIGKILL. Resolves true once the process is gone.
 */
export async function stopPostmaster(pid: number, graceMs = 10_000): Promise<boolean> {
  for (const [signal, wait] of [['SIGINT', graceMs], ['SIGQUIT', 3_000], ['SIGKILL', 3_000]] as const) {
    if (!isAlive(pid)) return true;
    trySignal(pid, signal);
    if (await waitForExit(pid, wait)) return true;
  }
  return !isAlive(pid);
}

/** Asks the kernel for a free TCP port on the loopback interface. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
