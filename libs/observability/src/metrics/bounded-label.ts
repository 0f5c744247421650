/**
 * A label whose values come from outside (policy reason codes, model names): the first `max` distinct values are
 * kept, later ones count as `other`, so a client or a policy cannot grow the series without bound.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
