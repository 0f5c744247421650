import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { Module, type DynamicModule } from '@nestjs/common';
import type { SecretBox } from '../secret-box';
import { CONNECTOR_DELIVERY_OPTIONS, ConnectorDeliveryService, type ConnectorDeliveryOptions } from './connector-delivery.service';
import { ConnectorStore } from './connector-store';

export function connectorDeliveryOptions(config: GatewayConfig): ConnectorDeliveryOptions {
  const e = config.env;
  return {
    pollMs: e.AUDIT_CONNECTOR_POLL_MS,
    batch: e.AUDIT_CONNECTOR_BATCH,
    maxJobsPerTick: 50,
    concurrency: e.AUDIT_CONNECTOR_CONCURRENCY,
    maxAttempts: e.AUDIT_CONNECTOR_MAX_ATTEMPTS,
    backoffBaseMs: e.AUDIT_CONNECTOR_BACKOFF_BASE_MS,
    backoffMaxMs: Math.max(e.AUDIT_CONNECTOR_BACKOFF_BASE_MS, e.AUDIT_CONNECTOR_BACKOFF_MAX_MS),
  };
}

/**
 * Audit connectors for the control app: the store (secrets sealed with `box`) and the delivery service. Needs
 * `ConfigModule`, `QueueModule.forRoot` and a data source in the app.
 */
@Module({})
export class AuditConnectorsModule {
  static register(box: SecretBox): DynamicModule {
    return {
      module: AuditConnectorsModule,
      providers: [
        { provide: ConnectorStore, useValue: new ConnectorStore(box) },
        { provide: CONNECTOR_DELIVERY_OPTIONS, useFactory: connectorDeliveryOptions, inject: [GATEWAY_CONFIG] },
        ConnectorDeliveryService,
      ],
      exports: [ConnectorStore, ConnectorDeliveryService],
    };
  }
}
