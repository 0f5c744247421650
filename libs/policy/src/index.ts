export * from './engine';
export * from './enforcement';
export * from './simulate';
export * from './classifiers';
export * from './store';
export * from './rollout';
export * from './projects';
export * from './nest';
