import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '@gw/config';
import { createLogger } from '@gw/observability';
import { controlThreadRuntime, guardDatabaseDisconnects, reportToMain, stopRequested, type ControlThreadData } from '@gw/runtime';
import { createControlApp } from './control/src/create-control-app';
import { ShutdownPhases } from './shutdown-phases';

/**
 * Entry of the control-plane worker thread (CONTROL_PLANE_THREAD; see libs/runtime/src/control-thread.ts): the same
 * control app as `GATEWAY_ROLE=control`, over the main thread's database, listening on CONTROL_PORT.
 */
async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('control-thread.js runs only as a worker thread of apps/main.js');
  const config = loadConfig();
  const logger = createLogger(config.env.LOG_LEVEL, 'gateway');
  guardDatabaseDisconnects(logger);
  const stop = stopRequested(port);
  let rt;
  try {
    rt = await controlThreadRuntime(config, logger, workerData as ControlThreadData, port);
    const app = await createControlApp(rt);
    await app.listen({ port: config.env.CONTROL_PORT, host: config.env.HOST });
    reportToMain(port, { type: 'ready', url: await app.getUrl().then((u) => u.replace('://[::1]', '://127.0.0.1').replace('://0.0.0.0', '://127.0.0.1')) });
    await stop;
    const phases = new ShutdownPhases(logger);
    await phases.run('close control app (thread)', () => app.close());
    phases.done('control plane thread stopped');
  } catch (err) {
    logger.error({ err }, 'control plane thread failed');
    reportToMain(port, { type: 'failed', error: String((err as Error)?.message ?? err) });
  } finally {
    await rt?.dataSource.destroy().catch(() => undefined);
    port.close();
  }
}

void main();
