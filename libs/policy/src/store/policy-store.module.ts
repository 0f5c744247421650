import { Module, type DynamicModule } from '@nestjs/common';
import { PolicyStore, type PolicyStoreOptions } from './policy-store';
import { PolicyRepository } from './policy.repository';

/**
 * Stored policies. Needs the app's data source (`DatabaseModule`, global). The control app writes through
 * {@link PolicyRepository}; the inference app reads through {@link PolicyStore}, which opens its own LISTEN
 * connection (`ttlMs > 0`) for the `policy:<org>:<id>` notifications.
 */
@Module({})
export class PolicyStoreModule {
  static forControl(): DynamicModule {
    return { module: PolicyStoreModule, providers: [PolicyRepository], exports: [PolicyRepository] };
  }

  static forInference(options: PolicyStoreOptions): DynamicModule {
    return {
      module: PolicyStoreModule,
      providers: [PolicyRepository, { provide: PolicyStore, useFactory: (repo: PolicyRepository) => new PolicyStore(repo, options), inject: [PolicyRepository] }],
      exports: [PolicyStore],
    };
  }
}
