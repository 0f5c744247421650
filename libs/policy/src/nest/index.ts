export * from './classifier-registry';
export * from './stored-policies';
