export * from './simulate';
export * from './wire-texts';
export * from './simulation-body';
