import { Module, type DynamicModule } from '@nestjs/common';
import { AuditProcessorModule, ContentHmacModule, type ContentHmacKeys } from '@gw/audit';
import { AuditController } from './audit.controller';
import { AuditQueryService } from './audit-query.service';
import { AuditVerifyService } from './audit-verify.service';

/** `/api/audit/*`: the compliance read side of the audit trail (query, verify, public key, content checks). */
@Module({})
export class AuditApiModule {
  static register(contentHmac: ContentHmacKeys): DynamicModule {
    return {
      module: AuditApiModule,
      imports: [AuditProcessorModule, ContentHmacModule.register(contentHmac)],
      controllers: [AuditController],
      providers: [AuditVerifyService, AuditQueryService],
    };
  }
}
