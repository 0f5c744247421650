export * from './chain-verifier';
export * from './checkpoint-keys';
export * from './export-format';
