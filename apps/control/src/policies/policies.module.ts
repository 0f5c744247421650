import { Module } from '@nestjs/common';
import { PolicyStoreModule } from '@gw/policy';
import { HistoryModule } from '../history/history.module';
import { GatewayConfigController } from './gateway-config.controller';
import { GatewayConfigService } from './gateway-config.service';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';
import { PolicyVersionsController } from './policy-versions.controller';
import { PolicyVersionsService } from './policy-versions.service';

/**
 * `/api/policy-gateway/policies` (stored, versioned policies; writes NOTIFY the inference replicas' caches), the
 * Gen-1 `/config` kept as one of them, and `/history` of their revisions and enforcement.
 */
@Module({
  imports: [PolicyStoreModule.forControl(), HistoryModule],
  controllers: [PoliciesController, PolicyVersionsController, GatewayConfigController],
  providers: [PoliciesService, PolicyVersionsService, GatewayConfigService],
})
export class PoliciesModule {}
