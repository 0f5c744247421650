import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { GatewayMetrics } from '@gw/observability';
import { controlQueues } from './control-queues';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Queue depth per state, and the age of the oldest waiting job (the queue's lag), for every queue the control plane
 * consumes. Read at scrape time from the queue backend (Redis or Postgres): nothing is counted per job. A queue whose
 * backend does not answer is left out of that scrape (its series go stale) rather than failing the whole scrape.
 */
@Injectable()
export class QueueMetrics implements OnApplicationBootstrap {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly refs: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    const queues = this.queues();
    this.metrics.gauge('gateway_queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async (set) => {
      await Promise.all(
        queues.map(async (q) => {
          const counts = await q.getJobCounts(...STATES).catch(() => undefined);
          for (const state of STATES) if (counts) set({ queue: q.name, state }, counts[state] ?? 0);
        }),
      );
    });
    this.metrics.gauge('gateway_queue_lag_seconds', 'Age of the oldest waiting job per queue (0 when none waits)', ['queue'], async (set) => {
      const now = Date.now();
      await Promise.all(
        queues.map(async (q) => {
          const oldest = await q.getWaiting(0, 0).catch(() => undefined);
          if (oldest) set({ queue: q.name }, oldest.length ? Math.max(0, now - oldest[0].timestamp) / 1000 : 0);
        }),
      );
    });
  }

  private queues(): Queue[] {
    return controlQueues(this.refs);
  }
}
