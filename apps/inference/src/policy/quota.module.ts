import { Module, type DynamicModule } from '@nestjs/common';
import type { QuotaStore } from '@gw/metering';
import { QUOTA_STORE } from './quota-meter';

/** The process's quota store (the runtime owns and closes it) for the meter. */
@Module({})
export class QuotaModule {
  static register(store: QuotaStore): DynamicModule {
    return { module: QuotaModule, providers: [{ provide: QUOTA_STORE, useValue: store }], exports: [QUOTA_STORE] };
  }
}
