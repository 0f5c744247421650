/**
 * Micro-benchmark of the PII detectors: median and p90 µs per call on 8 KB of English prose with a few PII values,
 * and on 8 KB of the synthetic set (dense in digits and PII: the worst case), all seven types and each detector
 * alone; plus libphonenumber-js `max` vs `min` metadata for the phone detector.
 * Usage: `node dist/bench/policy-eval/pii-speed.js` (about 10 s; a shared machine makes figures ±20 %).
 */
import { detectPii } from '@gw/policy';
import minMetadataJson from 'libphonenumber-js/min/metadata';
import type { MetadataJson } from 'libphonenumber-js/core';
// Single detectors are not part of the library's surface; the benchmark reaches past the barrel on purpose.
import { detectCards } from '../../libs/policy/src/engine/pii/card';
import { detectEmails } from '../../libs/policy/src/engine/pii/email';
import { detectIbans } from '../../libs/policy/src/engine/pii/iban';
import { detectIps } from '../../libs/policy/src/engine/pii/ip';
import { detectPhones } from '../../libs/policy/src/engine/pii/phone';
import { detectSecrets } from '../../libs/policy/src/engine/pii/secret';
import { detectSsns } from '../../libs/policy/src/engine/pii/ssn';
import { ScanContext } from '../../libs/policy/src/engine/pii/text';
import { generateDataset } from './pii-dataset';

const SIZE = 8192;
const PROSE = [
  'Thanks again for walking us through the migration plan yesterday; the team left the meeting with a much clearer picture of what needs to happen before the end of the quarter.',
  'As discussed, the first phase covers the reporting service and the two batch jobs that feed it, and we would like to keep the existing dashboards running in parallel until the numbers match.',
  "Legal asked whether any customer data leaves the region during the cut-over, so I have added a short section on data residency to the design document and flagged the open questions in red.",
  'The second phase is the harder one: the billing integration still relies on a nightly export, and the vendor has not yet confirmed when their new interface will be generally available.',
  'If the vendor slips again we can fall back to the current export for another cycle, which costs us some manual reconciliation work but does not block anything else on the roadmap.',
  'On staffing, we have two engineers fully allocated from next Monday and a third joining part-time once the security review of the new access model is finished.',
  "Please have a look at the risk register before Thursday's steering committee and add anything you think is missing, especially around rollback and communication with the support team.",
  'Finally, a reminder that the offsite is in three weeks; travel requests should go through the usual portal, and the agenda will be shared once the facilitators have confirmed the sessions.',
];
const PII_IN_PROSE = [
  'If anything is unclear, email maria.garcia@acme-corp.io or call me on (415) 555-2671.',
  'The staging host is 10.20.30.40 and the old one was 2001:db8:85a3::8a2e:370:7334, both behind the VPN.',
  'The corporate card 4111 1111 1111 1111 covers the venue deposit.',
];

export function proseText(): string {
  let s = '';
  for (let i = 0; s.length < SIZE; i++) {
    s += PROSE[i % PROSE.length] + ' ';
    if (i % 11 === 5) s += PII_IN_PROSE[(i / 11) | 0 % PII_IN_PROSE.length] + ' ';
    if (i % 9 === 8) s += '\n\n';
  }
  return s.slice(0, SIZE);
}

export function denseText(): string {
  let s = '';
  for (const m of generateDataset(7, 400)) {
    if (s.length + m.text.length + 1 > SIZE) break;
    s += m.text + '\n';
  }
  return s.padEnd(SIZE, ' lorem ipsum');
}

/** Median and p90 µs per call of `f`, after a warm-up; at most `n` calls or ~1.5 s. */
function time(f: () => unknown, n = 2000): { median: number; p90: number; n: number } {
  for (let i = 0; i < 1000; i++) f();
  const samples: number[] = [];
  const deadline = performance.now() + 1500;
  while (samples.length < n && performance.now() < deadline) {
    const t = process.hrtime.bigint();
    f();
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[samples.length >> 1], p90: samples[Math.floor(samples.length * 0.9)], n: samples.length };
}

const minMetadata = minMetadataJson as MetadataJson;
const SINGLE: [string, (ctx: ScanContext) => unknown][] = [
  ['digit runs (shared pre-pass)', (c) => c.runs],
  ['EMAIL', detectEmails],
  ['PHONE (max metadata)', (c) => detectPhones(c)],
  ['PHONE (min metadata)', (c) => detectPhones(c, minMetadata)],
  ['US_SSN', detectSsns],
  ['CREDIT_CARD', detectCards],
  ['IBAN', detectIbans],
  ['IP_ADDRESS', detectIps],
  ['SECRET', detectSecrets],
];

if (require.main === module) {
  const texts = { prose: proseText(), dense: denseText() };
  const fmt = (r: { median: number; p90: number; n: number }) => `${r.median.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.n}`;
  for (const [name, text] of Object.entries(texts)) {
    const found = detectPii(text);
    process.stdout.write(`\n### ${name}: ${text.length} chars, ${found.length} PII matches\n\n| detector | median µs | p90 µs | n |\n|---|---|---|---|\n`);
    process.stdout.write(`| **all seven (detectPii)** | ${fmt(time(() => detectPii(text)))} |\n`);
    for (const [label, f] of SINGLE) {
      // A fresh context per call, so each detector pays for the digit runs it reads (the shared pass is listed too).
      process.stdout.write(`| ${label} | ${fmt(time(() => f(new ScanContext(text))))} |\n`);
    }
  }
}
