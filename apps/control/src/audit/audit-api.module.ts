import { Module, type DynamicModule } from '@nestjs/common';
import { AuditConnectorsModule, AuditProcessorModule, ContentHmacModule, type ContentHmacKeys, type SecretBox } from '@gw/audit';
import { AuditController } from './audit.controller';
import { AuditQueryService } from './audit-query.service';
import { AuditVerifyService } from './audit-verify.service';
import { ConnectorsController } from './connectors/connectors.controller';
import { ConnectorsService } from './connectors/connectors.service';

/** `/api/audit/*`: the compliance read side of the audit trail (query, verify, public key, content checks) and its connectors. */
@Module({})
export class AuditApiModule {
  static register(contentHmac: ContentHmacKeys, connectorSecrets: SecretBox): DynamicModule {
    return {
      module: AuditApiModule,
      imports: [AuditProcessorModule, ContentHmacModule.register(contentHmac), AuditConnectorsModule.register(connectorSecrets)],
      controllers: [ConnectorsController, AuditController],
      providers: [AuditVerifyService, AuditQueryService, ConnectorsService],
    };
  }
}
