// The options and contracts of BufferedProducer (buffered-producer.ts), and one helper it uses.

export interface BufferedProducerOptions {
  /** Enqueue as soon as this many records wait (e.g. AUDIT_BATCH_SIZE). */
  batchSize: number;
  /** Otherwise enqueue this long after the first waiting record (e.g. AUDIT_FLUSH_MS). */
  flushMs: number;
  /** Records kept while the queue is unreachable; beyond it, records are logged as lost. */
  maxBuffered: number;
}

/** What distinguishes one producer from another: its name in logs, job name and deterministic job id. */
export interface ProducerIdentity<T> {
  /** e.g. `audit`, `billing`: used in log lines (`AUDIT RECORD LOST ...`). */
  label: string;
  jobName: string;
  jobId(record: T): string;
  /**
   * Makes a record safe to enqueue and to write (text without NUL or lone surrogates, lengths capped,
   * numbers within their columns' ranges). Default: `sanitizeJson` (sanitize.util.ts), which at least keeps one
   * hostile string from failing a whole `addBulk` (BullMQ's Postgres backend stores jobs as jsonb).
   */
  prepare?(record: T): T;
  /**
   * One job per batch instead of one per record: `{ v: 1, records }` under `jobName`, with the id `jobId(seq)`
   * (unique per producer: a boot id and a counter). Enqueue and dequeue costs are paid per batch, not per record
   * (issue 12); the worker (`BatchWorker` with the same `batchJobName`) writes and dead-letters record by record.
   * Without it, each record is its own job under {@link jobId} (what dead-letter replays still enqueue).
   */
  batch?: { jobName: string; jobId(seq: number): string };
}

/** The payload of a batch job (see {@link ProducerIdentity.batch}). */
export interface BatchJobData<T> {
  v: 1;
  records: T[];
}


/** What {@link BufferedProducer.enqueueAfter} needs of another producer. */
export interface FlushableProducer {
  /** Resolves `true` once every record accepted before the call has left, or `false` after `timeoutMs`. */
  sendAccepted(timeoutMs: number): Promise<boolean>;
}
