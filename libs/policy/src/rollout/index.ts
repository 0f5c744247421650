export * from './rollout-counters';
export * from './rollout-counters.factory';
export * from './memory-rollout-counters';
export * from './redis-rollout-counters';
export * from './rollout-state.repository';
export * from './rollout-monitor';
export * from './rollout.errors';
export * from './rollout.module';
