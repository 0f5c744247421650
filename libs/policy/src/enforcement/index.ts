export * from './canonical-text';
export * from './policy-run';
export * from './output-guard';
export * from './quota-plan';
