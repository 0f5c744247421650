export * from './runtime';
export * from './platform.module';
export * from './jwt-secret';
export * from './first-run';
export * from './control-thread';
export * from './database-disconnects';
