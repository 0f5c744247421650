import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ConnectorDeliveryService } from '@gw/audit';
import { QueueName } from '@gw/queue';

/** The queues the control plane consumes (audit, billing, connector deliveries), as registered in this app. */
export function controlQueues(refs: Pick<INestApplicationContext, 'get'>): Queue[] {
  const found: Queue[] = [];
  for (const name of [QueueName.Audit, QueueName.Billing]) {
    try {
      found.push(refs.get<Queue>(getQueueToken(name), { strict: false }));
    } catch {
      // not registered in this app
    }
  }
  try {
    found.push(refs.get(ConnectorDeliveryService, { strict: false }).queue);
  } catch {
    // no connector deliveries in this app
  }
  return found;
}
