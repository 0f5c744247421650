import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DIST, ROOT, TEST_JWT_SECRET } from './gateway-process';

export interface Bootstrapped {
  organization: { id: string; name: string };
  user: { id: string; email: string };
  password: string;
  api_key: { id: string; key: string };
  credits: number | null;
}

/** What the embedded start command created on its first run. */
export function readBootstrap(dataDir: string): Bootstrapped {
  return JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as Bootstrapped;
}

/** Runs the documented bootstrap CLI against `env` (DATABASE_URL...) and returns its JSON. */
export async function bootstrapCli(env: Record<string, string>, args: string[]): Promise<Bootstrapped> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(DIST, 'libs/identity/src/cli/bootstrap.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn', ...env },
  });
  return JSON.parse(stdout) as Bootstrapped;
}
