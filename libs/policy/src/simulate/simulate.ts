import { applyRedactions, normalizeText, OutputScanner, type Finding } from '../engine';
import { PolicyRun, type PolicyRunOptions } from '../enforcement';
import { wireTexts } from './wire-texts';

export type SimulationSurface = 'chat.completions' | 'responses' | 'messages';

/** A simulation request (policy resolution is the caller's: `policy` or `policy_id` are read before this). */
export interface SimulationInput {
  surface: SimulationSurface;
  /** The body's texts in the caller's surface shape: `messages`, `input`, `system`, `instructions`. */
  body: Record<string, unknown>;
  output: string | null;
}

export interface SimulationResult {
  policy: Record<string, unknown>;
  findings: Finding[];
  redacted: { messages: unknown; system?: unknown; output: string | null };
}

/**
 * Evaluates a policy without calling a model and without credits: the pre-check on the input texts, the output
 * checks on `output`, every finding with its offsets into the caller's original text, and the redacted copies.
 * Unlike a live request, nothing stops at the first hit: every finding is listed.
 */
export async function simulatePolicy(opts: PolicyRunOptions, input: SimulationInput): Promise<SimulationResult> {
  const clone = structuredClone(input.body);
  const texts = wireTexts(clone);
  const run = await PolicyRun.simulate(opts, texts);
  run.evaluation.redacted.forEach((t, i) => t !== null && texts[i].set(t));

  let output: string | null = null;
  if (input.output !== null) {
    const model = run.policy.model;
    const scanner = new OutputScanner(run.policy, { enforced: false, redactor: run.evaluation.redactor, classify: opts.streamClassify, holdLimit: Number.MAX_SAFE_INTEGER });
    scanner.push(input.output);
    scanner.end();
    const findings = [...scanner.findings];
    const triggered = new Set(scanner.triggered);
    if (run.policy.needsClassifier && opts.classifier && opts.classifier.id !== 'builtin' && input.output) {
      try {
        const [verdicts = []] = await opts.classifier.classify([normalizeText(input.output).text], opts.signal);
        for (const v of verdicts) {
          if (!v.flagged || !model.categories.includes(v.category) || triggered.has(v.category)) continue;
          triggered.add(v.category);
          findings.push({ kind: 'category', type: v.category, where: 'output', message_index: 0, start: 0, end: input.output.length });
        }
      } catch {
        // the input's classifier outcome already says it is unavailable; the output check adds nothing
      }
    }
    const redact = findings.filter((f) => f.kind === 'pii' && model.redact && (model.piiTypes as string[]).includes(f.type)).sort((a, b) => a.start - b.start);
    const spans: Array<{ start: number; end: number; placeholder: string }> = [];
    for (const f of redact) {
      if (spans.length && f.start < spans[spans.length - 1].end) continue;
      spans.push({ start: f.start, end: f.end, placeholder: run.evaluation.redactor.placeholder(f.type as never, input.output.slice(f.start, f.end)) });
    }
    output = applyRedactions(input.output, spans);
    // Live, an enforced hit in the output would have cut it: the decision says so.
    run.recordOutput({ findings, denyHits: scanner.denyHits, triggered, stopped: run.verdict.enforced && (scanner.denyHits.size > 0 || triggered.size > 0) });
  }
  const redacted: SimulationResult['redacted'] = { messages: clone.messages ?? clone.input ?? null, output };
  if ('system' in clone || 'instructions' in clone) redacted.system = clone.system ?? clone.instructions;
  return { policy: run.policyObject(), findings: run.verdict.findings, redacted };
}
