export * from './policy-id';
export * from './policy-store.errors';
export * from './policy.repository';
export * from './policy-store';
export * from './policy-store.module';
export * from './policy-history';
export * from './policy-history.reader';
