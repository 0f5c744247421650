import type { Logger } from 'pino';

/**
 * Times each step of shutdown. A supervisor kills a process that does not exit in time, and then nothing says which
 * step held it: a step still running after `slowMs` is logged at warn then (with what `detail` tells of it), so the
 * log names the step even if a SIGKILL follows, and again when it ends. The summary lists every step.
 */
export class ShutdownPhases {
  private readonly started = Date.now();
  private readonly took: Record<string, number> = {};

  constructor(
    private readonly logger: Logger,
    private readonly slowMs = 2_000,
  ) {}

  async run<T>(phase: string, step: () => Promise<T>, detail?: () => object): Promise<T> {
    const t0 = Date.now();
    const slow = setTimeout(() => this.logger.warn({ phase, ms: Date.now() - t0, ...detail?.() }, 'shutdown step still running'), this.slowMs);
    slow.unref();
    try {
      return await step();
    } finally {
      clearTimeout(slow);
      const ms = (this.took[phase] = Date.now() - t0);
      if (ms > this.slowMs) this.logger.warn({ phase, ms }, 'slow shutdown step ended');
    }
  }

  done(message = 'stopped'): void {
    const totalMs = Date.now() - this.started;
    this.logger[totalMs > this.slowMs ? 'warn' : 'info']({ totalMs, phases: this.took }, message);
  }
}
