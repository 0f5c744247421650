import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { accepting, signalAndWait, sleep, waitFor } from './private-services';

/**
 * The embedded gateway's own Postgres, restarted behind the gateway's back to simulate a database restart
 * in the embedded mode (the gateway spawned it detached, as the `postgres` account when run as root).
 */

/**
 * Restarts a postmaster this test did not start (the embedded gateway's own) behind its owner's back:
 * reads its command line and account from /proc, fast-stops it (SIGINT), waits `downMs` once it is gone, and starts the same
 * command again (same data directory and port). Returns a handle to stop the new postmaster, which its
 * original owner no longer knows about.
 */
export async function restartForeignPostmaster(pid: number, downMs: number) {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
  const gid = Number(/^Gid:\s+(\d+)/m.exec(status)![1]);
  const port = Number(argv[argv.indexOf('-p') + 1]);
  process.kill(pid, 'SIGINT');
  await waitFor(async () => !existsSync(`/proc/${pid}`) && !(await accepting(port)), 15_000, `postmaster ${pid} did not stop`);
  await sleep(downMs);
  const child = spawn(argv[0], argv.slice(1), { uid, gid, stdio: 'ignore', detached: true });
  child.unref();
  await waitFor(() => accepting(port), 30_000, `restarted postmaster did not listen on ${port}`);
  const onExit = () => void child.kill('SIGQUIT');
  process.on('exit', onExit);
  return {
    upAt: Date.now(),
    async stop() {
      process.removeListener('exit', onExit);
      await signalAndWait(child, 'SIGINT');
    },
  };
}

/** Pid of the postmaster a process spawned (the embedded gateway's own Postgres). */
export function childPostmasterPid(parentPid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^Name:\s+postgres$/m.test(status) && new RegExp(`^PPid:\\s+${parentPid}$`, 'm').test(status)) return Number(entry);
    } catch {
      // the process went away while we looked
    }
  }
  throw new Error(`process ${parentPid} has no postgres child`);
}
