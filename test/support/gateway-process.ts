import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MIDDAY_ZONE } from './midday-zone';

export const ROOT = resolve(__dirname, '../../..');
/** The compiled tree this test runs from (`dist/`, or a private out dir such as `dist-dev/`). */
export const DIST = resolve(__dirname, '../..');
/** Replicas must share a JWT secret; tests use this one. */
export const TEST_JWT_SECRET = 'e2e-test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export const MODEL_PATH = resolve(ROOT, '../shared/models/stories260K.gguf');

export interface RuntimeInfo {
  pid: number;
  inferenceUrl: string | null;
  controlUrl: string | null;
  databaseUrl: string | null;
}

export interface GatewayProcess {
  info: RuntimeInfo;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node dist/apps/main.js` as a real child process and waits until it wrote its runtime file. */
export async function startGateway(env: Record<string, string>, timeoutMs = 60_000): Promise<GatewayProcess> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gw-e2e-'));
  const runtimeFile = join(dataDir, 'runtime.json');
  rmSync(runtimeFile, { force: true });
  let out = '';
  const child = spawn(process.execPath, [join(DIST, 'apps/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', INFERENCE_PORT: '0', CONTROL_PORT: '0', LOG_LEVEL: 'warn', JWT_SECRET: TEST_JWT_SECRET, QUOTA_TIMEZONE: MIDDAY_ZONE, ...env, DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(runtimeFile)) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway not ready after ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let info: RuntimeInfo;
  try {
    info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as RuntimeInfo;
  } catch (err) {
    child.kill('SIGKILL'); // never leave a gateway behind a failed start
    throw new Error(`unreadable runtime file ${runtimeFile}: ${(err as Error).message}\n${out}`, { cause: err });
  }
  return {
    info,
    dataDir,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const t0 = Date.now();
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      // A slow stop is worth seeing even when it made the deadline: the gateway logs its shutdown steps at warn then.
      const ms = Date.now() - t0;
      if (ms > 5_000) process.stderr.write(`[gateway-process] stop took ${ms} ms (exit ${code}); shutdown log:\n${shutdownLines(out)}\n`);
      return code;
    },
  };
}

/** The gateway's shutdown log lines (steps, stragglers, summary), for a stop that was slow. */
function shutdownLines(out: string): string {
  return out
    .split('\n')
    .filter((l) => /shut|stopped|stragglers|in flight/i.test(l))
    .slice(-30)
    .join('\n');
}
