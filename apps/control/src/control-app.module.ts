import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AUDIT_QUEUE, AuditProcessorModule } from '@gw/audit';
import { HealthController } from '@gw/observability';
import { platformImports, readinessProvider, type Runtime } from '@gw/runtime';

/** Control plane: admin/audit APIs (later issues) and the queue processors that write audit rows. */
@Module({})
export class ControlAppModule {
  static register(rt: Runtime): DynamicModule {
    return {
      module: ControlAppModule,
      imports: [...platformImports(rt), AuditProcessorModule, BullModule.registerQueue({ name: AUDIT_QUEUE })],
      controllers: [HealthController],
      providers: [readinessProvider(AUDIT_QUEUE)],
    };
  }
}
