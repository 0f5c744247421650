import { Inject, Injectable } from '@nestjs/common';
import { AuditProducer, ContentHmacKeys, ContentVault } from '@gw/audit';
import { MODEL_CATALOG, type InferenceSummary, type ModelCatalog } from '@gw/inference';
import { GatewayMetrics } from '@gw/observability';
import { AuditObserver } from '../audit.observer';
import { recordRequest } from './request-metrics';

/** The inference service's observer: each request's audit record, and its metrics. */
@Injectable()
export class GatewayObserver extends AuditObserver {
  constructor(
    producer: AuditProducer,
    hmac: ContentHmacKeys,
    vault: ContentVault,
    private readonly metrics: GatewayMetrics,
    @Inject(MODEL_CATALOG) private readonly catalog: ModelCatalog,
  ) {
    super(producer, hmac, vault);
  }

  /**
   * After the response is written (~60 µs of a c=1 call's tail: the record, its sanitiser, the metrics); the producer
   * runs it before any flush, close or ordering wait, so nothing is lost or reordered (BufferedProducer.defer).
   */
  override onFinished(s: InferenceSummary): void {
    this.producer.defer(() => {
      super.onFinished(s);
      // A request refused before its model was resolved still counts under its model, when the catalogue knows it.
      recordRequest(this.metrics, s, this.catalog.has(s.model));
    });
  }
}
