import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BootstrapResult } from '@gw/identity';
import type { Runtime } from '@gw/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLAUDE_CODE_MIN_CONTEXT, claudeCodeModel, keyHint, onPath } from './banner-hints';

function baseUrl(app: NestFastifyApplication): string {
  const addr = app.getHttpServer().address();
  if (!addr || typeof addr === 'string') return String(addr);
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
}

/** The planes of this process: apps in its main thread, or the control plane's thread (its URL). */
export interface ProcessApps {
  inference?: NestFastifyApplication;
  control?: NestFastifyApplication;
  controlThread?: { url: string };
}

const controlUrl = (apps: ProcessApps): string | null => (apps.control ? baseUrl(apps.control) : (apps.controlThread?.url ?? null));

/** Tells the operator where things are and how to call them (stdout, human-readable). */
export function printBanner(rt: Runtime, apps: ProcessApps, bootstrap: BootstrapResult | null): void {
  const lines = ['', 'Policy gateway is ready.'];
  const model = rt.config.catalog.models[0].id;
  const key = bootstrap?.api_key.key ?? '$API_KEY';
  if (bootstrap) {
    lines.push(
      '',
      '  First start: created an organisation, its owner and an API key (shown once; also in DATA_DIR/bootstrap.json):',
      `    organisation : ${bootstrap.organization.name} (${bootstrap.credits ?? 0} credits)`,
      `    owner login  : ${bootstrap.user.email} / ${bootstrap.password}`,
      `    API key      : ${bootstrap.api_key.key}`,
      '',
    );
  }
  if (apps.inference) {
    const url = baseUrl(apps.inference);
    lines.push(
      `  Inference API : ${url}/v1   (OpenAI SDKs, Codex: chat completions + responses; docs at ${url}/docs)`,
      `                  ${url}      (Anthropic SDKs, Claude Code: ANTHROPIC_BASE_URL; /v1/messages)`,
      `  Models        : ${rt.config.catalog.models.map((m) => m.id).join(', ')}`,
      '',
      '  Try it:',
      `    curl -s ${url}/v1/chat/completions -H 'content-type: application/json' -H "Authorization: Bearer ${key}" \\`,
      `      -d '{"model":"${model}","messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":48}'`,
      `    curl -s ${url}/v1/messages -H 'content-type: application/json' -H "x-api-key: ${key}" \\`,
      `      -d '{"model":"${model}","messages":[{"role":"user","content":"Tell me a story"}],"max_tokens":48}'`,
    );
    if (!bootstrap) lines.push('', ...keyHint(rt.config.dataDir, rt.postgres.embedded));
    // Claude Code only with a model whose context holds its prompt; `claude` itself, or through npx.
    const claudeModel = claudeCodeModel(rt.config.catalog);
    if (claudeModel) {
      const claude = onPath('claude') ? 'claude' : 'npx -y @anthropic-ai/claude-code';
      lines.push(`    ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=${key} ${claude} -p "hi" --model ${claudeModel}`);
    } else {
      lines.push(`  Claude Code   : needs a model with a context of ${CLAUDE_CODE_MIN_CONTEXT / 1000}k tokens or more (none configured; see README "Models")`);
    }
  }
  const control = controlUrl(apps);
  if (control) lines.push(`  Control API   : ${control}   (health at /health/ready, docs at /docs)`);
  lines.push(`  Database      : ${rt.postgres.embedded ? `embedded Postgres in ${rt.config.dataDir}` : 'DATABASE_URL'}`);
  lines.push(`  Queues        : ${rt.config.env.REDIS_URL ? 'BullMQ on Redis (REDIS_URL)' : 'BullMQ on Postgres'}`, '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Writes `<DATA_DIR>/runtime.json` (mode 0600): where this process listens and, for the embedded
 * database, how to connect to it (psql, tests, scripts).
 */
export function writeRuntimeFile(rt: Runtime, apps: ProcessApps): void {
  mkdirSync(rt.config.dataDir, { recursive: true });
  const info = {
    pid: process.pid,
    inferenceUrl: apps.inference ? baseUrl(apps.inference) : null,
    controlUrl: controlUrl(apps),
    databaseUrl: rt.postgres.embedded ? rt.postgres.url : null,
    startedAt: new Date().toISOString(),
  };
  // Written then renamed: a reader polling for the file never sees it half-written.
  const file = join(rt.config.dataDir, 'runtime.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
