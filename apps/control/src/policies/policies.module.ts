import { Module } from '@nestjs/common';
import { PolicyStoreModule } from '@gw/policy';
import { PoliciesController } from './policies.controller';
import { PoliciesService } from './policies.service';

/** `/api/policy-gateway/policies`: stored, versioned policies (writes NOTIFY the inference replicas' caches). */
@Module({
  imports: [PolicyStoreModule.forControl()],
  controllers: [PoliciesController],
  providers: [PoliciesService],
})
export class PoliciesModule {}
