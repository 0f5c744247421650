/**
 * Child processes of the bench: spawned (optionally pinned with taskset), tracked by PID, killed on exit,
 * errors and signals. Also the port checks of performance.md §6.2 (fail when a port is already listening;
 * verify that the listener is the child just spawned).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'undici';
import { sleep } from './stats';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Last lines of output, for error messages. */
  tail: string[];
  /** Whole stdout, when spawned with `capture`. */
  stdout: string;
}

const children = new Set<Child>();

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Pins every thread of `pid` to `cpu` (best effort). */
export function pinPid(pid: number, cpu: number): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' }).status === 0;
}

export interface SpawnOptions {
  name: string;
  cmd: string[];
  env?: Record<string, string>;
  cpu?: number;
  cwd?: string;
  /** Also copy output to this file. */
  logFile?: string;
  /** Keep the whole stdout in `child.stdout`. */
  capture?: boolean;
}

export function spawnChild(o: SpawnOptions): Child {
  const [exe, ...args] = o.cpu !== undefined ? ['taskset', '-c', String(o.cpu), ...o.cmd] : o.cmd;
  const proc = spawn(exe, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (proc.pid === undefined) throw new Error(`could not spawn ${o.name}: ${o.cmd.join(' ')}`);
  const child: Child = { name: o.name, proc, pid: proc.pid, tail: [], stdout: '' };
  if (o.capture) proc.stdout?.on('data', (buf: Buffer) => (child.stdout += buf.toString('utf8')));
  const log = o.logFile ? createWriteStream(o.logFile) : undefined;
  const keep = (buf: Buffer): void => {
    log?.write(buf);
    child.tail.push(...buf.toString('utf8').split('\n').filter(Boolean));
    if (child.tail.length > 40) child.tail.splice(0, child.tail.length - 40);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.on('exit', () => {
    children.delete(child);
    log?.end();
  });
  children.add(child);
  return child;
}

export async function stopChild(child: Child, graceMs = 3_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const inTime = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!inTime) {
    child.proc.kill('SIGKILL');
    await Promise.race([exited, sleep(1_000)]);
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

/** Last resort (process `exit`): SIGKILL by PID, synchronously. */
export function killAllNow(): void {
  for (const c of children) {
    try {
      process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    const done = (v: boolean): void => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Polls `url` until it answers 200, the child dies, or `timeoutMs` passes. */
export async function waitReady(child: Child, url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(`${child.name} exited (${child.proc.exitCode ?? child.proc.signalCode}) before ready:\n  ${child.tail.slice(-15).join('\n  ')}`);
    }
    try {
      const res = await request(url, { headersTimeout: 1_000, bodyTimeout: 1_000 });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} not ready at ${url} within ${timeoutMs} ms:\n  ${child.tail.slice(-15).join('\n  ')}`);
}

/**
 * The PID (the child itself or one of its descendants) holding the LISTEN socket on `port`, from
 * /proc/net/tcp{,6} inodes and /proc/<pid>/fd links. Returns undefined when /proc cannot tell.
 */
export function listenerPid(rootPid: number, port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1].split(':')[1], 16) === port) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of descendants(rootPid)) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) return pid;
      }
    } catch {
      // process gone or not readable
    }
  }
  return -1;
}

/** `pid` and all its descendant processes (from /proc/<pid>/task/<tid>/children). */
export function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length && out.length < 256; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return out;
}
