import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DataSource } from 'typeorm';
import { TokenService } from '@gw/identity';
import { controlQueues } from '../metrics/control-queues';
import { BoardAccess, BOARD_PATH } from './board-access';

/**
 * The operator's queue view (issue 13): Bull Board at `/admin/queues` on the control app, over the queues the control
 * plane consumes, on either backend (Redis, or BullMQ's Postgres backend). Read-only for everyone: a failed audit or
 * billing job is retried or replayed through its own audited path (README "Dead letters"), not from a web page.
 * Every route of the board (page, static assets, JSON API) is behind {@link BoardAccess}.
 */
export async function mountQueueBoard(app: NestFastifyApplication, configuredOrg: string | undefined): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: controlQueues(app).map((q) => new BullMQAdapter(q, { readOnlyMode: true, allowRetries: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Gateway queues' } },
  });
  const access = new BoardAccess(app.get(TokenService), app.get(DataSource), configuredOrg);
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', access.check);
    await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
  });
}
