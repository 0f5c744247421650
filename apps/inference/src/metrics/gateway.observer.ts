import { Injectable } from '@nestjs/common';
import { AuditProducer, ContentHmacKeys, ContentVault } from '@gw/audit';
import type { InferenceSummary } from '@gw/inference';
import { GatewayMetrics } from '@gw/observability';
import { AuditObserver } from '../audit.observer';
import { recordRequest } from './request-metrics';

/** The inference service's observer: each request's audit record, and its metrics. */
@Injectable()
export class GatewayObserver extends AuditObserver {
  constructor(producer: AuditProducer, hmac: ContentHmacKeys, vault: ContentVault, private readonly metrics: GatewayMetrics) {
    super(producer, hmac, vault);
  }

  override onFinished(s: InferenceSummary): void {
    super.onFinished(s);
    recordRequest(this.metrics, s);
  }
}
