import { quotaTag, type PlannedCounter } from './quota-rules';

/**
 * The Redis keys of quota counters: `<prefix>{<tag>}:<window key>` (a hash) and the same with `|x` (its hold set),
 * the tag from {@link quotaTag}, so the counters of one organisation share a Cluster slot.
 */
export class QuotaKeys {
  constructor(private readonly prefix: string) {}

  /** Both keys of every planned counter, in order. */
  of(planned: readonly PlannedCounter[]): string[] {
    return planned.flatMap((p) => this.counter(quotaTag(p.counter.key), p.windowKey));
  }

  /** Each counter's two keys, and the hash tag they all share (null when they span several Cluster slots). */
  slot(counters: readonly { key: string; windowKey: string }[]): { keys: string[]; tag: string | null } {
    const keys: string[] = [];
    let tag: string | null | undefined;
    for (const c of counters) {
      const own = quotaTag(c.key);
      tag = tag === undefined || tag === own ? own : null;
      keys.push(...this.counter(own, c.windowKey));
    }
    return { keys, tag: tag ?? null };
  }

  private counter(tag: string, windowKey: string): [hash: string, holds: string] {
    const hash = `${this.prefix}{${tag}}:${windowKey}`;
    return [hash, `${hash}|x`];
  }
}
