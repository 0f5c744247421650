import { Module, type DynamicModule } from '@nestjs/common';
import { AuditConnectorsModule, AuditContentModule, AuditProcessorModule, ContentHmacModule, type ContentHmacKeys, type ContentVault, type SecretBox } from '@gw/audit';
import { AuditController } from './audit.controller';
import { AuditQueryService } from './audit-query.service';
import { AuditRetentionController } from './audit-retention.controller';
import { AuditRetentionService } from './audit-retention.service';
import { AuditVerifyService } from './audit-verify.service';
import { ConnectorsController } from './connectors/connectors.controller';
import { ConnectorsService } from './connectors/connectors.service';

/** `/api/audit/*`: the compliance read side of the audit trail (query, verify, public key, content checks and retained content), its retention settings and its connectors. */
@Module({})
export class AuditApiModule {
  static register(contentHmac: ContentHmacKeys, connectorSecrets: SecretBox, contentVault: ContentVault): DynamicModule {
    return {
      module: AuditApiModule,
      imports: [AuditProcessorModule, ContentHmacModule.register(contentHmac), AuditConnectorsModule.register(connectorSecrets), AuditContentModule.register(contentVault)],
      controllers: [ConnectorsController, AuditRetentionController, AuditController],
      providers: [AuditVerifyService, AuditQueryService, ConnectorsService, AuditRetentionService],
    };
  }
}
