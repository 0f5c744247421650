import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AUDIT_QUEUE, AuditContentModule, AuditProducer, AuditProducerModule, ContentHmacModule, contentVault } from '@gw/audit';
import { IdentityModule } from '@gw/identity';
import { InferenceModule, ResponseStore } from '@gw/inference';
import { BillingProducer, CreditsModule, FreeTierClaims, PrincipalThrottlerGuard, RateLimitModule, rateLimitOptionsFromConfig } from '@gw/metering';
import { DRAIN_STATE, GatewayMetrics, HealthController, MetricsModule, TracingModule } from '@gw/observability';
import { platformImports, readinessProvider, type Runtime } from '@gw/runtime';
import { GatewayObserver } from './metrics/gateway.observer';
import { InferenceAuthGuard } from './auth/inference-auth.guard';
import { ModelsController } from './models.controller';
import { ClassifierRegistry, PolicyStore, PolicyStoreModule, ProjectStore, ProjectStoreModule, RolloutModule, RolloutStateRepository, STORED_POLICIES } from '@gw/policy';
import { PolicyEnforcer } from './policy/policy-enforcer';
import { PolicySimulateController } from './policy/policy-simulate.controller';
import { PolicyResolver } from './policy/policy-resolver';
import { PolicyStage } from './policy/policy-stage';
import { PROJECTS } from './policy/project-resolution';
import { QuotaMeter } from './policy/quota-meter';
import { QuotaModule } from './policy/quota.module';
import { AnthropicMessagesController } from './protocols/anthropic-messages/anthropic-messages.controller';
import { OpenAIChatController } from './protocols/openai-chat/openai-chat.controller';
import { OpenAIResponsesController } from './protocols/openai-responses/openai-responses.controller';
import { InflightRegistry } from './protocols/shared/inflight.registry';
import { ProtocolHandler } from './protocols/shared/protocol-handler';

/** Stored responses (`store: true`) expire after `ttlSeconds`; expired rows are swept every 10 minutes. */
function responseStore(ds: DataSource, ttlSeconds: number): ResponseStore {
  const store = new ResponseStore(ds, ttlSeconds * 1000);
  store.start(10 * 60_000, () => undefined); // a failed sweep is retried at the next tick; reads ignore expired rows anyway
  return store;
}

/** Data plane: the OpenAI/Anthropic-compatible endpoints. Stateless; scale out behind a load balancer. */
@Module({})
export class InferenceAppModule {
  static register(rt: Runtime): DynamicModule {
    const env = rt.config.env;
    const credits = CreditsModule.forInference(rt.config, rt.credits, rt.creditLeases);
    return {
      module: InferenceAppModule,
      imports: [
        ...platformImports(rt),
        MetricsModule.forRoot(env.METRICS_ENABLED),
        TracingModule.forRoot(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME, role: env.GATEWAY_ROLE } : undefined),
        AuditProducerModule,
        IdentityModule.forRoot({
          jwtSecret: rt.jwtSecret,
          ttlSeconds: env.JWT_TTL_SECONDS,
          loginAttemptsPerMinute: env.LOGIN_ATTEMPTS_PER_MINUTE,
          keyCache: { databaseUrl: rt.postgres.url, ttlMs: env.API_KEY_CACHE_TTL_MS },
        }),
        RateLimitModule.forRoot(rt.rateLimits, rateLimitOptionsFromConfig(rt.config)),
        credits,
        PolicyStoreModule.forInference({ databaseUrl: rt.postgres.url, ttlMs: env.POLICY_CACHE_TTL_MS, rollouts: new RolloutStateRepository(rt.dataSource) }),
        RolloutModule.forInference({ redisUrl: env.REDIS_URL }),
        ProjectStoreModule.forInference({ databaseUrl: rt.postgres.url, ttlMs: env.POLICY_CACHE_TTL_MS }),
        InferenceModule.forRoot(rt.catalog, {
          imports: [AuditProducerModule, ContentHmacModule.register(rt.contentHmac), AuditContentModule.register(contentVault(env.AUDIT_CONTENT_KEY, rt.jwtSecret, env.AUDIT_CONTENT_RETENTION_DAYS)), credits, QuotaModule.register(rt.quotas)],
          observer: GatewayObserver,
          meter: QuotaMeter,
        }),
      ],
      controllers: [OpenAIChatController, OpenAIResponsesController, AnthropicMessagesController, PolicySimulateController, ModelsController, HealthController],
      providers: [
        ProtocolHandler,
        InflightRegistry,
        { provide: DRAIN_STATE, useExisting: InflightRegistry },
        ClassifierRegistry,
        PolicyResolver,
        PolicyEnforcer,
        PolicyStage,
        { provide: STORED_POLICIES, useExisting: PolicyStore },
        { provide: PROJECTS, useExisting: ProjectStore },
        // A call's audit job is enqueued before its billing job (see BufferedProducer.enqueueAfter).
        { provide: 'BILLING_AFTER_AUDIT', useFactory: (billing: BillingProducer, audit: AuditProducer) => billing.enqueueAfter(audit), inject: [BillingProducer, AuditProducer] },
        { provide: FreeTierClaims, useFactory: (ds: DataSource) => new FreeTierClaims(ds), inject: [DataSource] },
        { provide: ResponseStore, useFactory: (ds: DataSource) => responseStore(ds, env.RESPONSES_STORE_TTL_SECONDS), inject: [DataSource] },
        // Order matters: authenticate, then count the request against the principal's budget.
        { provide: APP_GUARD, useClass: InferenceAuthGuard },
        { provide: APP_GUARD, useExisting: PrincipalThrottlerGuard },
        {
          provide: 'INFERENCE_SAMPLED_METRICS',
          inject: [GatewayMetrics],
          useFactory: (m: GatewayMetrics) => m.counterOf('gateway_rate_limit_fail_open_total', 'Requests let through because the rate-limit store could not count (fail-open)', () => rt.rateLimits.failOpenCount ?? 0),
        },
        readinessProvider(AUDIT_QUEUE, [{ name: 'models', check: async () => rt.catalog.notReady().length === 0 }]),
      ],
    };
  }
}
