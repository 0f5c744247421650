import 'reflect-metadata';
import { ConfigError, loadConfig } from '@gw/config';
import { createLogger } from '@gw/observability';
import { join } from 'node:path';
import { bootstrapOnFirstRun, guardDatabaseDisconnects, startControlThread, startRuntime, stopRuntime, type ControlThread, type Role, type Runtime } from '@gw/runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createControlApp } from './control/src/create-control-app';
import { closeInference, createInferenceApp, drainInference, inflightNow } from './inference/src/create-inference-app';
import { printBanner, writeRuntimeFile } from './banner';
import { ShutdownPhases } from './shutdown-phases';

/** After the drain, the rest of shutdown (the control plane's workers finishing their jobs, the stores) gets this long. */
const SHUTDOWN_TAIL_MS = 10_000;

/**
 * Composition root. GATEWAY_ROLE=all (default) runs both planes in one process over shared
 * resources (the embedded default); `inference` or `control` runs one plane (production scale-out).
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(config.env.LOG_LEVEL, 'gateway');
  guardDatabaseDisconnects(logger);
  const roles: Role[] = config.env.GATEWAY_ROLE === 'all' ? ['control', 'inference'] : [config.env.GATEWAY_ROLE];
  const rt = await startRuntime(config, logger, roles);
  const apps: { inference?: NestFastifyApplication; control?: NestFastifyApplication; controlThread?: ControlThread } = {};
  // Embedded, both planes: the control plane (API + queue workers) runs in a worker thread, off the inference event loop.
  const threaded = roles.length > 1 && rt.postgres.embedded && config.env.CONTROL_PLANE_THREAD;
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) =>
    (stopping ??= (async () => {
      logger.info({ signal }, 'shutting down');
      const phases = new ShutdownPhases(logger);
      // The platform's grace covers the drain plus 10 s (deploy/ and its test): what follows the drain shares that tail.
      const tailEnds = Date.now() + config.env.SHUTDOWN_GRACE_MS + SHUTDOWN_TAIL_MS;
      const { inference, control, controlThread } = apps;
      if (inference) {
        const inflight = () => ({ inflight: inflightNow(inference).slice(0, 20) });
        const cut = await phases.run('drain', () => drainInference(inference, config.env.SHUTDOWN_GRACE_MS), inflight);
        if (cut.length) logger.warn({ cut: cut.length, stragglers: cut.slice(0, 20) }, 'requests still in flight after the grace period were cut');
        await phases.run('close inference', () => closeInference(inference));
      }
      if (control) await phases.run('close control', () => control.close());
      if (controlThread) await phases.run('stop control thread', () => controlThread.stop(Math.max(1_000, tailEnds - Date.now())));
      await stopRuntime(rt, (name, release) => phases.run(`stop ${name}`, release));
      phases.done();
    })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      shutdown(sig).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  try {
    if (threaded) apps.controlThread = await startControlThread(rt, join(__dirname, 'control-thread.js'));
    else if (roles.includes('control')) {
      apps.control = await createControlApp(rt);
      await apps.control.listen({ port: config.env.CONTROL_PORT, host: config.env.HOST });
    }
    if (roles.includes('inference')) {
      apps.inference = await createInferenceApp(rt);
      await apps.inference.listen({ port: config.env.INFERENCE_PORT, host: config.env.HOST });
    }
  } catch (err) {
    logger.error({ err }, 'start failed');
    await shutdown('start-failure').catch(() => undefined);
    process.exit(1);
  }
  // The embedded default is ready to call at once: the first start creates an org, an owner and a key.
  const bootstrap = rt.postgres.embedded ? await bootstrapOnFirstRun(rt) : null;
  writeRuntimeFile(rt, apps);
  printBanner(rt, apps, bootstrap);
}

export type { Runtime };
void main();
