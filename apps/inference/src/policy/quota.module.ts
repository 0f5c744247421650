import { Module, type DynamicModule } from '@nestjs/common';
import { QUOTA_STORE, type QuotaStore } from '@gw/metering';

/** The process's quota store (the runtime owns and closes it) for the meter. */
@Module({})
export class QuotaModule {
  static register(store: QuotaStore): DynamicModule {
    return { module: QuotaModule, providers: [{ provide: QUOTA_STORE, useValue: store }], exports: [QUOTA_STORE] };
  }
}
