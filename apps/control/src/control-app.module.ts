import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AUDIT_QUEUE, AuditProcessorModule, connectorSecretBox, contentVault } from '@gw/audit';
import { IdentityModule } from '@gw/identity';
import { CreditsModule, QUOTA_STORE } from '@gw/metering';
import { ClassifierRegistry, PolicyStore, PolicyStoreModule, STORED_POLICIES } from '@gw/policy';
import { HealthController, MetricsModule } from '@gw/observability';
import { platformImports, readinessProvider, type ControlRuntime } from '@gw/runtime';
import { AuditApiModule } from './audit/audit-api.module';
import { AuthController } from './auth/auth.controller';
import { identityOptions } from './auth/identity-options';
import { CreditsController } from './credits/credits.controller';
import { KeysController } from './keys/keys.controller';
import { PoliciesModule } from './policies/policies.module';
import { ProjectsModule } from './projects/projects.module';
import { ProjectUsageController } from './quota/project-usage.controller';
import { RolloutApiModule } from './rollout/rollout-api.module';
import { PolicySimulateController } from './simulate/policy-simulate.controller';
import { UsersController } from './users/users.controller';
import { QueueMetrics } from './metrics/queue-metrics';

/**
 * Control plane: login and API keys (`/api/*`, behind the global JwtAuthGuard), admin/audit APIs
 * (later issues), credits, and the queue processors that write audit rows and settle the ledger.
 */
@Module({})
export class ControlAppModule {
  static register(rt: ControlRuntime): DynamicModule {
    return {
      module: ControlAppModule,
      imports: [
        ...platformImports(rt),
        MetricsModule.forRoot(rt.config.env.METRICS_ENABLED),
        AuditProcessorModule,
        AuditApiModule.register(
          rt.contentHmac,
          connectorSecretBox(rt.config.env.AUDIT_CONNECTOR_KEY, rt.jwtSecret),
          contentVault(rt.config.env.AUDIT_CONTENT_KEY, rt.jwtSecret, rt.config.env.AUDIT_CONTENT_RETENTION_DAYS),
        ),
        BullModule.registerQueue({ name: AUDIT_QUEUE }),
        IdentityModule.forRoot({ ...identityOptions(rt), guard: true }),
        CreditsModule.forControl(rt.config, rt.lease),
        PoliciesModule,
        RolloutApiModule,
        ProjectsModule,
        // The simulator reads stored policies uncached (ttlMs 0: no listener; each version still compiled once).
        PolicyStoreModule.forInference({ databaseUrl: rt.postgres.url, ttlMs: 0 }),
      ],
      controllers: [HealthController, AuthController, KeysController, UsersController, CreditsController, PolicySimulateController, ProjectUsageController],
      providers: [
        readinessProvider(AUDIT_QUEUE),
        QueueMetrics,
        ClassifierRegistry,
        { provide: STORED_POLICIES, useExisting: PolicyStore },
        { provide: QUOTA_STORE, useValue: rt.quotas },
      ],
    };
  }
}
