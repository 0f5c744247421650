import { Worker, type MessagePort } from 'node:worker_threads';
import type { GatewayConfig } from '@gw/config';
import { createDataSource } from '@gw/database';
import { ContentHmacKeys, contentHmacMaster } from '@gw/audit';
import type { QuotaCounter, QuotaStore, QuotaUsage } from '@gw/metering';
import { configureQueueBackend } from '@gw/queue';
import type { Logger } from 'pino';
import { resolveJwtSecret } from './jwt-secret';
import type { ControlRuntime, Runtime } from './runtime';

/**
 * The control plane in a worker thread (issue 12, CONTROL_PLANE_THREAD): with both planes in one process, its API and,
 * above all, its queue workers (audit chain writes, ledger settlement, connector deliveries, sweeps) ran on the
 * inference event loop and added their batches to the streams' inter-chunk gaps. The thread has its own event loop,
 * data source and queue connection over the same database; the process keeps one pid, one signal handler and one
 * embedded Postgres (the main thread's), and a SIGKILL still ends both planes at once.
 *
 * The planes share nothing in memory but the quota counters of the embedded mode (the control API reads their usage):
 * the thread asks the main thread for them over the worker's message port.
 */

/** What the main thread hands the thread. */
export interface ControlThreadData {
  databaseUrl: string;
  embedded: boolean;
  bootId: string;
}

type ToThread = { type: 'stop' } | { type: 'quota-usage-result'; id: number; usage?: QuotaUsage[]; error?: string };
type FromThread = { type: 'ready'; url: string } | { type: 'failed'; error: string } | { type: 'stopped' } | { type: 'quota-usage'; id: number; counters: QuotaCounter[]; nowMs?: number };

export interface ControlThread {
  /** The control API's base URL. */
  url: string;
  /** Closes the control app in the thread (its workers drain) and waits for the thread to end. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Main thread: starts `entry` (the compiled `apps/control-thread.js`) and resolves once its control API listens. */
export function startControlThread(rt: Runtime, entry: string): Promise<ControlThread> {
  const data: ControlThreadData = { databaseUrl: rt.postgres.url, embedded: rt.postgres.embedded, bootId: rt.lease.bootId };
  const worker = new Worker(entry, { workerData: data }); // the thread reads the same environment (a copy), and writes to the same stdout
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  worker.on('message', (m: FromThread) => {
    if (m.type !== 'quota-usage') return;
    rt.quotas.usage(m.counters, m.nowMs).then(
      (usage) => worker.postMessage({ type: 'quota-usage-result', id: m.id, usage } satisfies ToThread),
      (err: unknown) => worker.postMessage({ type: 'quota-usage-result', id: m.id, error: String((err as Error)?.message ?? err) } satisfies ToThread),
    );
  });
  return new Promise<ControlThread>((resolve, reject) => {
    const onMessage = (m: FromThread) => {
      if (m.type === 'failed') reject(new Error(`control plane thread failed to start: ${m.error}`));
      if (m.type !== 'ready') return;
      worker.off('message', onMessage);
      let stopping = false;
      // The control plane's workers write the audit trail and settle credits: a process that lost them must not go on
      // serving as if it had them. It ends, as an uncaught error in the same thread would have ended it.
      worker.on('error', (err) => rt.logger.error({ err }, 'control plane thread failed'));
      void exited.then((code) => {
        if (stopping) return;
        rt.logger.fatal({ code }, 'control plane thread ended unexpectedly; stopping the process');
        process.exit(1);
      });
      resolve({
        url: m.url,
        stop: async (timeoutMs = 30_000) => {
          stopping = true;
          worker.postMessage({ type: 'stop' } satisfies ToThread);
          const timer = setTimeout(() => {
            rt.logger.warn({ timeoutMs }, 'control plane thread did not stop in time: terminated (jobs it held are delivered again)');
            void worker.terminate();
          }, timeoutMs);
          await exited;
          clearTimeout(timer);
        },
      });
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    void exited.then((code) => reject(new Error(`control plane thread exited (${code}) before it was ready`)));
  });
}

/** Thread side: the usage of the main thread's quota counters; every other quota operation belongs to the inference plane. */
function quotaBridge(port: MessagePort): QuotaStore {
  let next = 0;
  const waiting = new Map<number, { resolve: (u: QuotaUsage[]) => void; reject: (e: Error) => void }>();
  port.on('message', (m: ToThread) => {
    if (m.type !== 'quota-usage-result') return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined || !m.usage) w?.reject(new Error(m.error ?? 'no quota usage'));
    else w?.resolve(m.usage);
  });
  const notHere = () => Promise.reject(new Error('quota holds are taken by the inference plane, not the control plane'));
  return {
    reserve: notHere,
    settle: notHere,
    release: notHere,
    usage: (counters, nowMs) =>
      new Promise<QuotaUsage[]>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve, reject });
        port.postMessage({ type: 'quota-usage', id, counters, nowMs } satisfies FromThread);
      }),
    close: () => Promise.resolve(),
  };
}

/** Thread side: the control plane's runtime over the main thread's database (its own pool and queue connection). */
export async function controlThreadRuntime(config: GatewayConfig, logger: Logger, data: ControlThreadData, port: MessagePort): Promise<ControlRuntime> {
  const jwtSecret = resolveJwtSecret(config);
  const dataSource = await createDataSource(data.databaseUrl, config.env.DB_POOL_SIZE).initialize();
  return {
    config,
    logger,
    postgres: { url: data.databaseUrl, embedded: data.embedded, stop: () => Promise.resolve() },
    dataSource,
    queue: configureQueueBackend(config, data.databaseUrl),
    jwtSecret,
    quotas: quotaBridge(port),
    contentHmac: new ContentHmacKeys(contentHmacMaster(config.env.AUDIT_HMAC_KEY, jwtSecret)),
    // The process's boot (the main thread's lease): its calls are never orphans; the lease's own health is the main thread's.
    lease: { bootId: data.bootId, healthyFor: () => true },
  };
}

/** Thread side: tells the main thread how it went. */
export function reportToMain(port: MessagePort, m: FromThread): void {
  port.postMessage(m);
}

/** Thread side: resolves when the main thread asks the thread to stop. */
export function stopRequested(port: MessagePort): Promise<void> {
  return new Promise((resolve) => port.on('message', (m: ToThread) => m.type === 'stop' && resolve()));
}
