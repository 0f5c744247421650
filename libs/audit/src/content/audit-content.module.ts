import { Module, type DynamicModule } from '@nestjs/common';
import { ContentVault } from './content-vault';

/** Provides the process's {@link ContentVault} (built once per app from config) to whoever seals or opens retained content. */
@Module({})
export class AuditContentModule {
  static register(vault: ContentVault): DynamicModule {
    return { module: AuditContentModule, providers: [{ provide: ContentVault, useValue: vault }], exports: [ContentVault] };
  }
}
