import type { Logger } from '@nestjs/common';
import { messageTemplate } from './write-failure';

/**
 * A producer's last resort, loud: each lost record is counted and logged once, by its job id where it has one. The
 * record itself is never logged: it carries caller-supplied values (model names...).
 */
export class RecordLoss<T> {
  count = 0;

  constructor(
    private readonly log: Logger,
    private readonly label: string,
    private readonly jobId: (rec: T) => string,
  ) {}

  /** A record lost before it existed (its builder or preparation threw), so without a job id. */
  unbuilt(why: string, err: Error): void {
    this.count++;
    this.log.error(`${this.label.toUpperCase()} RECORD LOST (${why}: ${messageTemplate(err.message)}; ${this.count} so far)`);
  }

  /** A buffered record that will not be sent. */
  record(rec: T, reason: string): void {
    this.count++;
    let id = '?';
    try {
      id = this.jobId(rec);
    } catch {
      // a record without an id is still counted and reported
    }
    this.log.error(`${this.label.toUpperCase()} RECORD LOST (${reason}; ${this.count} so far): job ${id}`);
  }
}
