export * from './project.types';
export * from './project.errors';
export * from './project.repository';
export * from './project-store';
export * from './project-store.module';
