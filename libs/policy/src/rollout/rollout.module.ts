import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { SYSTEM_CLOCK, type Clock } from '../engine';
import { createRolloutCounters } from './rollout-counters.factory';
import type { RolloutCounters } from './rollout-counters';
import { RolloutMonitor } from './rollout-monitor';
import { RolloutStateRepository } from './rollout-state.repository';

/** The clock of every rollout decision (`Clock`); tests provide one they advance. */
export const ROLLOUT_CLOCK = Symbol('ROLLOUT_CLOCK');
export const ROLLOUT_COUNTERS = Symbol('ROLLOUT_COUNTERS');

export interface RolloutInferenceOptions {
  /** REDIS_URL: replicas count decisions together; without it, in process (embedded mode). */
  redisUrl?: string | null;
  clock?: Clock;
  flushEveryMs?: number;
  expireEveryMs?: number;
}

const clockProvider = (clock?: Clock): Provider => ({ provide: ROLLOUT_CLOCK, useValue: clock ?? SYSTEM_CLOCK });

/**
 * Rollout state and auto-rollback. Needs the app's data source (`DatabaseModule`, global). The control app
 * reads and changes states through {@link RolloutStateRepository}; the inference app also gets the
 * {@link RolloutMonitor}, which flushes counts and ends expired rollbacks on timers from module init on.
 */
@Module({})
export class RolloutModule {
  static forControl(opts: { clock?: Clock } = {}): DynamicModule {
    return { module: RolloutModule, providers: [RolloutStateRepository, clockProvider(opts.clock)], exports: [RolloutStateRepository, ROLLOUT_CLOCK] };
  }

  static forInference(opts: RolloutInferenceOptions = {}): DynamicModule {
    return {
      module: RolloutModule,
      providers: [
        RolloutStateRepository,
        clockProvider(opts.clock),
        { provide: ROLLOUT_COUNTERS, useFactory: () => createRolloutCounters({ redisUrl: opts.redisUrl }) },
        {
          provide: RolloutMonitor,
          useFactory: (counters: RolloutCounters, repo: RolloutStateRepository, clock: Clock) =>
            new RolloutMonitor(counters, repo, { clock, flushEveryMs: opts.flushEveryMs, expireEveryMs: opts.expireEveryMs, closeCounters: true }),
          inject: [ROLLOUT_COUNTERS, RolloutStateRepository, ROLLOUT_CLOCK],
        },
      ],
      exports: [RolloutMonitor, RolloutStateRepository, ROLLOUT_CLOCK],
    };
  }
}
