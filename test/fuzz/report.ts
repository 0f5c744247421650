/** Aggregates fuzz outcomes: counts per endpoint, a status histogram, and failures grouped with one minimal example each. */
import type { FuzzCase } from './generator';
import type { Problem } from './check';
import type { Outcome } from './send';

interface Example {
  c: FuzzCase;
  out: Outcome;
}

interface Group {
  count: number;
  example: Example;
}

const preview = (b: Buffer | string, n: number): string => {
  const s = Buffer.isBuffer(b) ? b.toString('utf8') : b;
  return JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s) + (s.length > n ? ` (${s.length} chars)` : '');
};

export class FuzzReport {
  readonly perEndpoint = new Map<string, number>();
  readonly statuses = new Map<string, number>();
  readonly groups = new Map<string, Group>();
  fiveXx = 0;
  cases = 0;
  readonly startedAt = Date.now();
  /** Wall time spent per case kind (summed over concurrent requests), to see what a run spends its time on. */
  readonly msByKind = new Map<string, number>();

  constructor(
    readonly seed: number,
    readonly label: string,
  ) {}

  add(c: FuzzCase, out: Outcome, problem: Problem | undefined): void {
    this.cases++;
    const name = c.endpoint.name;
    this.perEndpoint.set(name, (this.perEndpoint.get(name) ?? 0) + 1);
    const status = out.status === 0 ? 'none' : String(out.status);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (out.status >= 500) this.fiveXx++;
    this.msByKind.set(c.kind, (this.msByKind.get(c.kind) ?? 0) + out.ms);
    if (!problem) return;
    const family = c.note.replace(/\[\d+\]/g, '[]');
    const key = `${name} ${status} ${problem.what}${problem.byFamily ? ` ← ${family}` : ''}`;
    const g = this.groups.get(key);
    if (!g) this.groups.set(key, { count: 1, example: { c, out } });
    else {
      g.count++;
      // Keep the smallest reproducer of the group.
      if (c.body.length < g.example.c.body.length) g.example = { c, out };
    }
  }

  get failures(): number {
    return [...this.groups.values()].reduce((n, g) => n + g.count, 0);
  }

  /** One line: cases per endpoint, status histogram, 5xx, failures, audit rows, time. */
  summary(audit?: { expected: number; found: number }): string {
    const eps = [...this.perEndpoint].map(([k, v]) => `${k}=${v}`).join(' ');
    const hist = [...this.statuses].sort().map(([k, v]) => `${k}:${v}`).join(' ');
    const rows = audit ? ` | audit rows expected=${audit.expected} found=${audit.found}` : '';
    return `[fuzz] ${this.label} seed=${this.seed} cases=${this.cases} (${eps}) | status ${hist} | 5xx=${this.fiveXx} | failures=${this.failures} in ${this.groups.size} groups${rows} | ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s`;
  }

  /** Request time summed per case kind, largest first. */
  timing(): string {
    return `[fuzz] request time by kind: ${[...this.msByKind].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')}`;
  }

  /** Every failure group with its smallest example and how to rebuild it. */
  failureText(reproduce: (c: FuzzCase) => string): string {
    const lines: string[] = [];
    for (const [key, g] of [...this.groups].sort((a, b) => a[0].localeCompare(b[0]))) {
      const { c, out } = g.example;
      lines.push(`✗ ${key} ×${g.count}`);
      lines.push(`    case ${c.endpoint.name}:${c.index} [${c.kind}] ${c.note}`);
      lines.push(`    POST ${c.endpoint.path}${c.headers[':query'] ?? ''} body ${preview(c.body, 160)}`);
      if (c.rawHeaderLines) lines.push(`    raw header lines ${JSON.stringify(c.rawHeaderLines)}`);
      lines.push(`    → ${out.status || out.error} ${preview(out.text, 240)}`);
      lines.push(`    rebuild: ${reproduce(c)}`);
    }
    return lines.join('\n');
  }
}
