import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '@gw/identity';
import { AuditRetentionService, type RetentionResponse } from './audit-retention.service';

/** The organisation's own audit retention (shorter than the global one); see {@link AuditRetentionService}. */
@ApiTags('Audit')
@ApiBearerAuth()
@Controller('api/audit/retention')
export class AuditRetentionController {
  constructor(private readonly retention: AuditRetentionService) {}

  @Get()
  @ApiOperation({ operationId: 'auditRetention', summary: "The organisation's retention: events_days, content_days (null: global), content_default_days, global_months, retained_from" })
  get(@CurrentPrincipal() p: Principal | undefined): Promise<RetentionResponse> {
    return this.retention.get(p);
  }

  @Put()
  @ApiOperation({ operationId: 'setAuditRetention', summary: 'Owners/admins: {events_days?, content_days?}, each null (inherit the global setting) or 1..36500 days; an admin audit event records before/after' })
  put(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<RetentionResponse> {
    return this.retention.put(p, body);
  }
}
