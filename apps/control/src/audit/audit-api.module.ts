import { Module } from '@nestjs/common';
import { AuditProcessorModule } from '@gw/audit';
import { AuditController } from './audit.controller';
import { AuditVerifyService } from './audit-verify.service';

/** `/api/audit/*`: the compliance read side of the audit trail (query, verify, public key). */
@Module({
  imports: [AuditProcessorModule],
  controllers: [AuditController],
  providers: [AuditVerifyService],
})
export class AuditApiModule {}
