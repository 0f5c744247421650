import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GatewayMetrics } from './gateway-metrics';

/**
 * `GET /metrics`, Prometheus text format. Unauthenticated like the health probes (scrapers run inside the network);
 * it holds counts and timings only, never a key, a prompt or an id.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    if (!this.metrics.enabled) throw new NotFoundException('Metrics are off (METRICS_ENABLED=false).');
    const { contentType, body } = await this.metrics.render();
    await reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  }
}
