export * from './classifier-registry';
