import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The real CLI clients (Claude Code, Codex) as test drivers. scripts/install-clients.sh installs them at
 * these versions into a machine-wide cache, outside the project's dependencies (≈770 MB of native binaries).
 */
export const CLAUDE_CODE_VERSION = '2.1.330';
export const CODEX_VERSION = '0.169.0';
export const CLIENTS_DIR = process.env.CLIENTS_DIR ?? '/var/cache/policy-gateway/clients';

/** Claude Code's native binary (the postinstall put it over the npm bin placeholder). */
export const CLAUDE_BIN = join(CLIENTS_DIR, `claude-code-${CLAUDE_CODE_VERSION}`, 'node_modules/@anthropic-ai/claude-code/bin/claude.exe');
/** Codex's npm launcher: it picks the platform binary from the optional dependency and execs it. */
export const CODEX_JS = join(CLIENTS_DIR, `codex-${CODEX_VERSION}`, 'node_modules/@openai/codex/bin/codex.js');

/** Throws a message that says how to fix it when a CLI is not installed (rather than ENOENT from spawn). */
export function assertClientsInstalled(): void {
  for (const bin of [CLAUDE_BIN, CODEX_JS]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`bash scripts/install-clients.sh\` (CLIENTS_DIR=${CLIENTS_DIR})`);
  }
}

export interface CliRun {
  /** Exit code, null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface CliOptions {
  /** Working directory (the CLIs' tools run there). */
  cwd: string;
  /** Environment on top of the minimal one; nothing is inherited from the test process. */
  env?: Record<string, string>;
  /** Killed (whole process group) after this long. Default 30 s. */
  timeoutMs?: number;
}

/** Everything a CLI run prints, for assertion messages. */
export function describeRun(name: string, run: CliRun): string {
  return `${name}: exit ${run.code} signal ${run.signal}${run.timedOut ? ' (timed out)' : ''} after ${Math.round(run.durationMs)} ms\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/**
 * Runs `file args` like `env -i PATH=/usr/bin:/bin HOME=<temp> TERM=dumb … </dev/null`: the developer's own
 * credentials, config and proxies in the test process's env or home must not leak into the run. HOME is a fresh
 * temp dir (the CLIs write config, sessions and caches there), removed afterwards.
 */
export async function runCli(file: string, args: string[], opts: CliOptions & { home?: string }): Promise<CliRun> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'cli-home-'));
  const started = performance.now();
  try {
    return await new Promise<CliRun>((resolve, reject) => {
      const child = spawn(file, args, {
        cwd: opts.cwd,
        env: { PATH: '/usr/bin:/bin', HOME: home, TERM: 'dumb', SHELL: '/bin/bash', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group, so a timeout also ends the tool commands the CLI started.
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, opts.timeoutMs ?? 30_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, timedOut, durationMs: performance.now() - started });
      });
    });
  } finally {
    if (!opts.home) rmSync(home, { recursive: true, force: true });
  }
}

/** Environment that keeps Claude Code to the one message call: no update check, telemetry or `/api/hello`. */
const CLAUDE_QUIET = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
};

export interface ClaudeOptions extends CliOptions {
  /** Gateway root without `/v1` (Claude Code appends `/v1/messages`). */
  baseUrl: string;
  prompt: string;
  /** The gateway key, sent as `Authorization: Bearer` (ANTHROPIC_AUTH_TOKEN) or as `x-api-key` (ANTHROPIC_API_KEY). */
  key: string;
  auth: 'auth-token' | 'api-key';
  /** Extra CLI flags, e.g. `--allowedTools Bash`, `--model x`. */
  args?: string[];
}

/** `claude -p <prompt> --output-format json …` against `baseUrl`. */
export function runClaude(opts: ClaudeOptions): Promise<CliRun> {
  const auth: Record<string, string> = opts.auth === 'auth-token' ? { ANTHROPIC_AUTH_TOKEN: opts.key } : { ANTHROPIC_API_KEY: opts.key };
  return runCli(CLAUDE_BIN, ['-p', opts.prompt, '--output-format', 'json', ...(opts.args ?? [])], {
    ...opts,
    env: { ...CLAUDE_QUIET, ANTHROPIC_BASE_URL: opts.baseUrl, ...auth, ...opts.env },
  });
}

/** The part of Claude Code's `--output-format json` result the tests look at. */
export interface ClaudeResult {
  type: string;
  subtype: string;
  is_error: boolean;
  result: string;
  num_turns: number;
  usage?: { input_tokens: number; output_tokens: number };
}

/** Parses the one JSON document `claude -p --output-format json` prints (null when stdout is not that). */
export function parseClaudeResult(stdout: string): ClaudeResult | null {
  try {
    return JSON.parse(stdout) as ClaudeResult;
  } catch {
    return null;
  }
}

export interface CodexOptions extends CliOptions {
  /** OpenAI base URL including `/v1` (Codex appends `/responses`). */
  baseUrl: string;
  prompt: string;
  /** The gateway key; Codex reads it from the env var named by `env_key` and sends it as a Bearer token. */
  key: string;
  model: string;
  args?: string[];
  /** Extra HTTP headers Codex sends to the provider (`http_headers`), e.g. `X-Policy-Id`. */
  headers?: Record<string, string>;
}

/**
 * `codex exec --skip-git-repo-check <prompt>` with a provider `gw` speaking the Responses API at `baseUrl`.
 * Retries are off: a broken stream must fail the run at once, not be retried into the timeout.
 */
export async function runCodex(opts: CodexOptions): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  writeFileSync(
    join(home, 'config.toml'),
    [
      `model = ${JSON.stringify(opts.model)}`,
      'model_provider = "gw"',
      'check_for_update_on_startup = false',
      '[model_providers.gw]',
      'name = "Gateway under test"',
      `base_url = ${JSON.stringify(opts.baseUrl)}`,
      'wire_api = "responses"',
      'env_key = "GW_API_KEY"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      ...(opts.headers ? [`http_headers = { ${Object.entries(opts.headers).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`).join(', ')} }`] : []),
      '',
    ].join('\n'),
  );
  try {
    // node + launcher rather than the .bin symlink: does not depend on a `node` in the minimal PATH.
    return await runCli(process.execPath, [CODEX_JS, 'exec', '--skip-git-repo-check', ...(opts.args ?? []), opts.prompt], {
      ...opts,
      home,
      env: { CODEX_HOME: home, GW_API_KEY: opts.key, ...opts.env },
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
