import { classifyText } from '@gw/policy';
import { businessProse } from './category-dataset';

/** Prints the lexicon's p50/p90/p99 µs on 8 KB of business prose (300 runs after 50 warm-up calls). */
export function printSpeed8k(): void {
  const prose = businessProse(8 * 1024);
  for (let i = 0; i < 50; i++) classifyText(prose);
  const runs: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = process.hrtime.bigint();
    classifyText(prose);
    runs.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  runs.sort((a, b) => a - b);
  const q = (p: number): string => runs[Math.floor(p * (runs.length - 1))].toFixed(0);
  console.log(`\nspeed: 8 KB business prose, 300 runs: p50 ${q(0.5)} µs, p90 ${q(0.9)} µs, p99 ${q(0.99)} µs`);
}
