export * from './engine';
export * from './enforcement';
export * from './simulate';
export * from './nest';
