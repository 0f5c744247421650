import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

/** A named dependency check; rejects (or resolves false) when the dependency is unusable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean | void | { ok: boolean; error?: string }>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Optional: an app that drains on shutdown provides its state, so readiness fails as soon as draining starts. */
export const DRAIN_STATE = Symbol('DRAIN_STATE');
export interface DrainState {
  readonly draining: boolean;
}

const TIMEOUT_MS = 2_000;

async function run(c: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref());
    const res = await Promise.race([c.check(), timeout]);
    if (res && typeof res === 'object') return { name: c.name, ok: res.ok, ...(res.error ? { error: res.error } : {}) };
    return { name: c.name, ok: res !== false };
  } catch (err) {
    return { name: c.name, ok: false, error: (err as Error).message };
  }
}

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Optional() @Inject(DRAIN_STATE) private readonly drain?: DrainState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database, queue and models usable and not draining (503 otherwise)' })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    // Shutting down: load balancers must stop routing here now, not when the grace period ends and the port closes.
    if (this.drain?.draining) return void (await reply.status(503).send({ status: 'draining', checks: [] }));
    const results = await Promise.all(this.checks.map(run));
    const ok = results.every((r) => r.ok);
    await reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: results });
  }
}
