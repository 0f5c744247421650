/**
 * The policy engine's contract: the normalised policy model, what a scan finds, and the ports the
 * engine's callers plug classifiers into. Pure types; no Nest, TypeORM or I/O anywhere under engine/.
 */
import type { CallSignal } from '@gw/inference';

/** A half-open range of UTF-16 code units, `[start, end)`, in the text it was found in. */
export interface Span {
  start: number;
  end: number;
}

export const PII_TYPES = ['EMAIL', 'PHONE', 'US_SSN', 'CREDIT_CARD', 'IBAN', 'IP_ADDRESS', 'SECRET'] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** One PII value found by a detector, in the offsets of the text the detector was given. */
export interface PiiMatch extends Span {
  type: PiiType;
}

/**
 * Content categories (spec §4.1.1 `flagged_categories`). Classifiers map their own taxonomies onto these.
 * `pii/*` categories are served by the PII detectors, not by classifiers.
 */
export const CATEGORIES = [
  'sexual',
  'sexual/minors',
  'hate',
  'hate/threatening',
  'harassment',
  'harassment/threatening',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'violence',
  'violence/graphic',
  'illicit',
  'illicit/violent',
  'weapons/creation',
  'drugs/synthesis',
  'explosives/creation',
  'malware/creation',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** `pii/<x>` flagged categories and the detector type each one stands for (name/address: no detector). */
export const PII_CATEGORIES: Readonly<Record<string, PiiType | null>> = {
  'pii/ssn': 'US_SSN',
  'pii/email': 'EMAIL',
  'pii/phone': 'PHONE',
  'pii/credit_card': 'CREDIT_CARD',
  'pii/iban': 'IBAN',
  'pii/ip_address': 'IP_ADDRESS',
  'pii/secret': 'SECRET',
  'pii/name': null,
  'pii/address': null,
};

/** A classifier's verdict on one category for one text. */
export interface CategoryVerdict {
  category: Category;
  /** 0..1 (a classifier without scores reports 1 for a hit). */
  score: number;
  flagged: boolean;
  /** Where in the text the evidence is, when the classifier can tell (lexicons can; moderation APIs cannot). */
  spans?: Span[];
}

/**
 * The port every content classifier implements (built-in lexicon, OpenAI-compatible `/v1/moderations`, a guard
 * model behind chat completions). `classify` answers one verdict list per input text, in order, listing only
 * the categories it flagged (or scored); it rejects with {@link ClassifierUnavailableError} when it cannot answer.
 */
export interface ContentClassifier {
  readonly id: string;
  classify(texts: readonly string[], signal?: CallSignal): Promise<CategoryVerdict[][]>;
}

/** Thrown (rejected) by a classifier that could not answer: unreachable, timed out, or answered garbage. */
export class ClassifierUnavailableError extends Error {
  constructor(
    readonly classifierId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClassifierUnavailableError';
  }
}

/** The five decisions of spec §4.3 plus the older `redact`. */
export type Decision = 'allow' | 'rewrite' | 'summary' | 'escalate' | 'refuse' | 'redact';
export type RolloutMode = 'shadow' | 'canary' | 'enforced' | 'rollback';
