import type { CanonicalEvent, CanonicalResponse } from '@gw/inference';
import { normalizeText, OutputScanner, type Finding } from '../engine';
import type { PolicyRun } from './policy-run';

/** Whether a policy looks at output at all (no lists, no PII, no categories: the stream passes untouched). */
export function checksOutput(run: PolicyRun): boolean {
  const p = run.policy;
  return p.deny !== null || p.piiTypes.size > 0 || p.needsClassifier;
}

function scannerFor(run: PolicyRun): OutputScanner {
  const { enforced } = run.verdict;
  return new OutputScanner(run.policy, { enforced, redactor: run.evaluation.redactor, classify: run.opts.streamClassify, holdLimit: run.opts.holdChars });
}

/**
 * Post-check of a whole answer: the text and every tool call's arguments through the output scanner (redaction,
 * denied terms, the built-in category check), then the policy's remote classifier over the text. An enforced hit
 * withholds the rest of the answer: text up to the hit, no tool calls, finish reason `content_filter`.
 */
export async function checkResult<T extends CanonicalResponse>(run: PolicyRun, result: T): Promise<T> {
  if (!checksOutput(run)) return result;
  const findings: Finding[] = [];
  const deny = new Set<string>();
  const cats = new Set<string>();
  const pass = (text: string) => {
    const sc = scannerFor(run);
    const step = sc.whole(text);
    findings.push(...sc.findings);
    sc.denyHits.forEach((t) => deny.add(t));
    sc.triggered.forEach((c) => cats.add(c));
    return { text: step.emit, stopped: Boolean(step.stop) };
  };
  const text = pass(result.text);
  let stopped = text.stopped;
  const toolCalls = stopped ? [] : result.toolCalls.map((c) => ({ ...c, arguments: pass(c.arguments).text }));
  if (!stopped && run.verdict.enforced && (deny.size > 0 || cats.size > 0)) stopped = true;
  if (!stopped && run.policy.needsClassifier && run.opts.classifier && run.opts.classifier.id !== 'builtin' && result.text) {
    const remote = await remoteVerdict(run, result.text);
    remote.forEach((c) => cats.add(c.category));
    for (const c of remote) findings.push({ kind: 'category', type: c.category, where: 'output', message_index: 0, start: 0, end: result.text.length });
    if (remote.length > 0 && run.verdict.enforced) stopped = true;
  }
  run.recordOutput({ findings, denyHits: deny, triggered: cats, stopped });
  if (!stopped) return { ...result, text: text.text, toolCalls };
  return { ...result, text: text.stopped ? text.text : '', toolCalls: [], finishReason: 'content_filter' };
}

/** Categories the policy's remote classifier flags in the output; an unavailable classifier counts as a flag unless the policy fails open. */
async function remoteVerdict(run: PolicyRun, text: string): Promise<Array<{ category: string }>> {
  const wanted = new Set<string>(run.policy.model.categories);
  try {
    const [verdicts = []] = await run.opts.classifier!.classify([normalizeText(text).text], run.opts.signal);
    return verdicts.filter((v) => v.flagged && wanted.has(v.category));
  } catch {
    return run.policy.model.classifierFailOpen ? [] : [{ category: 'classifier_unavailable' }];
  }
}

/**
 * The streaming post-check: text and tool-argument deltas go through their own scanners (each held back only as
 * far as an open match needs); an enforced hit ends the stream with `content_filter` and stops the provider
 * (`stop`), and only bookkeeping events (usage, metering, error) pass after it.
 */
export async function* guardStream(run: PolicyRun, events: AsyncIterable<CanonicalEvent>, stop: () => void): AsyncGenerator<CanonicalEvent> {
  let text: OutputScanner | null = null;
  const tools = new Map<number, OutputScanner>();
  let stopped = false;
  const record = (sc: OutputScanner, hitStop: boolean) => run.recordOutput({ findings: sc.findings.splice(0), denyHits: sc.denyHits, triggered: sc.triggered, stopped: hitStop });
  function* flush(): Generator<CanonicalEvent> {
    if (text) {
      const sc = text;
      text = null;
      const step = sc.end();
      if (step.emit) yield { type: 'text_delta', text: step.emit };
      record(sc, Boolean(step.stop));
      if (step.stop) stopped = true;
    }
    for (const [index, sc] of tools) {
      const step = sc.end();
      if (step.emit && !stopped) yield { type: 'tool_call_delta', index, argumentsDelta: step.emit };
      record(sc, Boolean(step.stop));
      if (step.stop) stopped = true;
    }
    tools.clear();
  }
  for await (const ev of events) {
    if (stopped) {
      if (ev.type === 'usage' || ev.type === 'metering' || ev.type === 'error') yield ev;
      continue;
    }
    let step: { emit: string; stop?: unknown } | null = null;
    switch (ev.type) {
      case 'text_delta': {
        text ??= scannerFor(run);
        step = text.push(ev.text);
        if (step.emit) yield { type: 'text_delta', text: step.emit };
        if (step.stop) record(text, true);
        break;
      }
      case 'tool_call_start':
        yield* flush();
        if (!stopped) yield ev;
        break;
      case 'tool_call_delta': {
        let sc = tools.get(ev.index);
        if (!sc) tools.set(ev.index, (sc = scannerFor(run)));
        step = sc.push(ev.argumentsDelta);
        if (step.emit) yield { type: 'tool_call_delta', index: ev.index, argumentsDelta: step.emit };
        if (step.stop) record(sc, true);
        break;
      }
      case 'message_stop':
        yield* flush();
        yield stopped ? { type: 'message_stop', finishReason: 'content_filter' } : ev;
        if (stopped) stop();
        continue;
      case 'message_start':
      case 'reasoning_start':
      case 'reasoning_delta':
      case 'reasoning_signature':
      case 'redacted_reasoning':
      case 'usage':
      case 'metering':
      case 'error':
        yield ev;
    }
    if (step?.stop || stopped) {
      stopped = true;
      stop();
      yield { type: 'message_stop', finishReason: 'content_filter' };
    }
  }
  if (!stopped) yield* flush();
}
