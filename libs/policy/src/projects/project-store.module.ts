import { Module, type DynamicModule } from '@nestjs/common';
import { ProjectRepository } from './project.repository';
import { ProjectStore, type ProjectStoreOptions } from './project-store';

/**
 * Projects. Needs the app's data source (`DatabaseModule`, global). The control app writes through
 * {@link ProjectRepository}; the inference app reads through {@link ProjectStore} (its own LISTEN connection when
 * `ttlMs > 0`, for the `project:<org>:<id>` notifications).
 */
@Module({})
export class ProjectStoreModule {
  static forControl(): DynamicModule {
    return { module: ProjectStoreModule, providers: [ProjectRepository], exports: [ProjectRepository] };
  }

  static forInference(options: ProjectStoreOptions): DynamicModule {
    return {
      module: ProjectStoreModule,
      providers: [ProjectRepository, { provide: ProjectStore, useFactory: (repo: ProjectRepository) => new ProjectStore(repo, options), inject: [ProjectRepository] }],
      exports: [ProjectStore],
    };
  }
}
