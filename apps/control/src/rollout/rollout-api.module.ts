import { Module } from '@nestjs/common';
import { PolicyStoreModule, RolloutModule } from '@gw/policy';
import { RolloutController } from './rollout.controller';
import { RolloutService } from './rollout.service';

/** `…/policies/{id}/rollback`, `/resume`, `/rollout` (transitions NOTIFY the inference replicas' policy caches). */
@Module({
  imports: [PolicyStoreModule.forControl(), RolloutModule.forControl()],
  controllers: [RolloutController],
  providers: [RolloutService],
})
export class RolloutApiModule {}
