import { QueueName } from '@gw/queue';

export const CONNECTOR_QUEUE = QueueName.AuditConnector;

/** One delivery: the events of `org` with `from ≤ seq ≤ to` (after the connector's filters) to connector `c`. */
export interface DeliveryJob {
  c: string;
  o: string;
  from: number;
  to: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const seq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;

/** The job's payload, or a TypeError naming what is wrong (such a job can never succeed). */
export function parseDeliveryJob(data: unknown): DeliveryJob {
  const d = (data ?? {}) as Record<string, unknown>;
  if (typeof d.c !== 'string' || !UUID.test(d.c)) throw new TypeError('delivery job: c must be a connector id');
  if (typeof d.o !== 'string' || !UUID.test(d.o)) throw new TypeError('delivery job: o must be an organisation id');
  if (!seq(d.from) || !seq(d.to) || d.to < d.from) throw new TypeError('delivery job: from/to must be a seq range');
  return { c: d.c, o: d.o, from: d.from, to: d.to };
}

/**
 * Job id of a range: a second enqueue of the same range (a scheduler that crashed between enqueue and cursor update)
 * is ignored while the first job is retained. A replay adds a suffix so that it is not swallowed by the original.
 */
export const deliveryJobId = (j: DeliveryJob, replay?: string): string => `conn.${j.c}.${j.from}-${j.to}${replay ? `.r${replay}` : ''}`;

/** Splits `(cursor, head]` into ranges of at most `size` seqs, at most `max` of them. */
export function rangesAfter(cursor: number, head: number, size: number, max: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let from = cursor + 1; from <= head && out.length < max; from += size) out.push({ from, to: Math.min(head, from + size - 1) });
  return out;
}
