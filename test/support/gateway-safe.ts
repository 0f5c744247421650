import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type GatewayProcess } from './gateway-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `startGateway` with a guard for one known race: the gateway writes `runtime.json` with a plain
 * `writeFileSync` (not write-then-rename), so `startGateway` can read it empty and throw
 * `SyntaxError: Unexpected end of JSON input` — leaving the spawned gateway running, which keeps the
 * test process alive. Here the leaked gateway (found by the pid in its own DATA_DIR) is killed and the
 * start retried once.
 */
export async function startGatewaySafely(env: Record<string, string>): Promise<GatewayProcess> {
  for (let attempt = 1; ; attempt++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-e2e-safe-'));
    try {
      return await startGateway({ ...env, DATA_DIR: dataDir });
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      await sleep(300);
      const { pid } = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { pid: number };
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
      if (attempt >= 2) throw err;
    }
  }
}
