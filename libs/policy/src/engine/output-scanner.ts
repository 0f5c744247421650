import type { CompiledPolicy } from './compile';
import type { Finding } from './decision';
import { normalizeText, toOriginalSpan } from './normalize';
import { detectPii } from './pii';
import { piiTail } from './pii-tail';
import { Redactor } from './redactor';
import type { CategoryVerdict, PiiMatch } from './types';

export { piiTail } from './pii-tail';

/** Why a scanned output must stop (a denied term or a flagged category, in an enforced policy). */
export interface OutputStop {
  kind: 'denylist' | 'category';
  /** The policy's term, or the category. */
  type: string;
}

export interface OutputStep {
  /** Text to send now (redacted where the policy redacts). */
  emit: string;
  /** Set once: the output must end here (after `emit`), the protocol's content-filter way. */
  stop?: OutputStop;
}

export interface OutputScannerOptions {
  /** Whether the policy's decisions are acted on for this request (shadow and unselected canary: observe only). */
  enforced: boolean;
  redactor: Redactor;
  /** Synchronous category check over released text (the built-in lexicon); remote classifiers judge the whole output afterwards. */
  classify?: (text: string) => CategoryVerdict[];
  /** Most characters ever held back (default 256): the added delay is bounded by this much text. */
  holdLimit?: number;
}

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
const PEM_END = /-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----/;
/** A PEM header still arriving (`-----BEG`, `-----BEGIN RSA PRIV`): held until it is whole. */
const PEM_PARTIAL = /-----BEGIN[A-Z0-9 ]{0,48}-{0,4}$|-{1,5}(?:B|BE|BEG|BEGI)?$/;
const CONTEXT = 64;

/**
 * Scans a model's output as it streams: holds back only what a match still open at the end could need (a
 * partial denied phrase, an unfinished word, a run of digit groups that may be a card or phone), never more
 * than `holdLimit` characters; redacts PII and stops on denied terms or flagged categories in what it releases.
 * The same object scans a whole non-streamed answer ({@link whole}). Offsets in {@link findings} are
 * into the output as the model wrote it.
 */
export class OutputScanner {
  readonly findings: Finding[] = [];
  readonly denyHits = new Set<string>();
  readonly triggered = new Set<string>();
  private buffer = '';
  /** Absolute output offset of `buffer[0]`. */
  private base = 0;
  private stopped = false;
  /** Inside a PEM private key whose END has not arrived: everything is swallowed. */
  private inPem = false;
  /** Released text kept as context for the category check (a phrase may straddle two releases). */
  private context = '';
  private readonly holdLimit: number;
  /** Denied-term hits already recorded (a hit in held text is seen again on the next delta). */
  private readonly seenHits = new Set<string>();

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly opts: OutputScannerOptions,
  ) {
    this.holdLimit = opts.holdLimit ?? 256;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  push(delta: string): OutputStep {
    if (this.stopped) return { emit: '' };
    this.buffer += delta;
    return this.release(false);
  }

  end(): OutputStep {
    if (this.stopped) return { emit: '' };
    return this.release(true);
  }

  /** A whole answer at once (`push` then `end`, in one pass: nothing is held back, so it is scanned once). */
  whole(text: string): OutputStep {
    if (this.stopped) return { emit: '' };
    this.buffer += text;
    return this.release(true);
  }

  private release(final: boolean): OutputStep {
    if (this.inPem) {
      const end = PEM_END.exec(this.buffer);
      if (!end) {
        this.advance(final ? this.buffer.length : Math.max(0, this.buffer.length - 64)); // keep a tail: the END marker may be split
        return { emit: '' };
      }
      this.inPem = false;
      this.advance(end.index + end[0].length);
    }
    const text = this.buffer;
    const n = normalizeText(text);
    const deny = this.policy.deny?.scan(n.text);
    const termOpen = deny && deny.openFrom < n.text.length ? toOriginalSpan(n, deny.openFrom, deny.openFrom + 1).start : text.length;
    let cut = final ? text.length : this.holdPoint(text, termOpen);
    const pii: PiiMatch[] =
      this.policy.piiTypes.size > 0 ? detectPii(n.text, this.policy.piiTypes).map((m) => ({ type: m.type, ...toOriginalSpan(n, m.start, m.end) })) : [];
    // A complete match that straddles the cut is released whole (it is finished: the hold already covers open ones).
    for (const m of pii) if (m.start < cut && m.end > cut) cut = m.end;
    const pem = PEM_BEGIN.exec(text);
    if (pem && pem.index < cut && !PEM_END.test(text.slice(pem.index))) cut = pem.index;

    let stopAt: { at: number; stop: OutputStop } | null = null;
    for (const h of deny?.hits ?? []) {
      // A hit is complete wherever it lies (held text included): record it once, and stop before it when enforced.
      const span = toOriginalSpan(n, h.start, h.end);
      const term = this.policy.deny!.terms[h.term];
      const key = `${this.base + span.start}:${h.term}`;
      if (!this.seenHits.has(key)) {
        this.seenHits.add(key);
        this.denyHits.add(term);
        this.findings.push({ kind: 'denylist', type: term, where: 'output', message_index: 0, start: this.base + span.start, end: this.base + span.end });
      }
      if (this.opts.enforced && (!stopAt || span.start < stopAt.at)) stopAt = { at: span.start, stop: { kind: 'denylist', type: term } };
    }
    const category = this.checkCategories(text.slice(0, cut));
    if (category && this.opts.enforced && (!stopAt || category.at < stopAt.at)) stopAt = category;
    const limit = stopAt ? stopAt.at : cut;
    let emit = '';
    let at = 0;
    for (const m of pii) {
      if (m.start >= limit || m.start < at) continue;
      this.findings.push({ kind: 'pii', type: m.type, where: 'output', message_index: 0, start: this.base + m.start, end: this.base + m.end });
      if (!this.opts.enforced || !this.policy.model.redact || !this.policy.model.piiTypes.includes(m.type)) continue;
      emit += text.slice(at, m.start) + this.opts.redactor.placeholder(m.type, text.slice(m.start, m.end));
      at = m.end;
    }
    emit += text.slice(at, Math.max(at, limit));
    if (stopAt) {
      this.stopped = true;
      this.advance(text.length);
      return { emit, stop: stopAt.stop };
    }
    if (pem && pem.index === cut && cut < text.length && this.opts.enforced && this.policy.model.redact && this.policy.piiTypes.has('SECRET')) {
      // A private key still streaming: replace it with one placeholder and swallow it until its END marker.
      emit += this.opts.redactor.placeholder('SECRET', pem[0]);
      this.findings.push({ kind: 'pii', type: 'SECRET', where: 'output', message_index: 0, start: this.base + pem.index, end: this.base + text.length });
      this.inPem = true;
      this.advance(pem.index + pem[0].length);
      return { emit };
    }
    this.advance(cut);
    return { emit };
  }

  /** Where released text must end: before any open match, unfinished word or digit-group run, bounded by the hold limit. */
  private holdPoint(text: string, termOpen: number): number {
    let cut = Math.min(termOpen, this.policy.piiTypes.size > 0 ? piiTail(text) : text.length);
    if (this.policy.piiTypes.has('SECRET')) {
      const partial = PEM_PARTIAL.exec(text);
      if (partial) cut = Math.min(cut, partial.index);
    }
    if (text.length - cut > this.holdLimit) cut = text.length - this.holdLimit;
    return Math.max(0, cut);
  }

  private checkCategories(released: string): { at: number; stop: OutputStop } | null {
    if (!this.opts.classify || !this.policy.needsClassifier || released.length === 0) return null;
    const ctx = this.context;
    const verdicts = this.opts.classify(normalizeText(ctx + released).text);
    this.context = (ctx + released).slice(-CONTEXT);
    const wanted = new Set<string>(this.policy.model.categories);
    let first: { at: number; stop: OutputStop } | null = null;
    for (const v of verdicts) {
      if (!v.flagged || !wanted.has(v.category)) continue;
      if (this.triggered.has(v.category)) continue;
      this.triggered.add(v.category);
      const start = Math.max(0, (v.spans?.[0]?.start ?? ctx.length) - ctx.length);
      this.findings.push({ kind: 'category', type: v.category, where: 'output', message_index: 0, start: this.base + start, end: this.base + released.length });
      if (!first || start < first.at) first = { at: start, stop: { kind: 'category', type: v.category } };
    }
    return first;
  }

  private advance(k: number): void {
    this.buffer = this.buffer.slice(k);
    this.base += k;
  }
}
