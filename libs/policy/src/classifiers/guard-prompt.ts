import type { Category } from '../engine/types';

/**
 * The Llama Guard 3 hazard taxonomy (MLCommons S1–S14) and what each code means in our categories.
 *
 * | Code | Llama Guard 3            | Our categories                                   |
 * |------|--------------------------|--------------------------------------------------|
 * | S1   | Violent Crimes           | violence, illicit/violent                        |
 * | S2   | Non-Violent Crimes       | illicit                                          |
 * | S3   | Sex-Related Crimes       | sexual, illicit                                  |
 * | S4   | Child Sexual Exploitation| sexual/minors                                    |
 * | S5   | Defamation               | — (no equivalent)                                |
 * | S6   | Specialized Advice       | —                                                |
 * | S7   | Privacy                  | — (PII is the detectors' job)                    |
 * | S8   | Intellectual Property    | —                                                |
 * | S9   | Indiscriminate Weapons   | weapons/creation, explosives/creation            |
 * | S10  | Hate                     | hate                                             |
 * | S11  | Suicide & Self-Harm      | self-harm                                        |
 * | S12  | Sexual Content           | sexual                                           |
 * | S13  | Elections                | —                                                |
 * | S14  | Code Interpreter Abuse   | malware/creation                                 |
 *
 * Parents follow from IMPLIED_PARENT (S9 → illicit/violent → illicit; S4 → sexual). The guard cannot tell
 * harassment, the `/threatening` and `/intent`/`/instructions` variants, graphic violence or drug synthesis apart:
 * policies flagging only those never fire on this classifier.
 */
export const GUARD_HAZARDS: readonly { code: string; name: string; categories: readonly Category[] }[] = [
  { code: 'S1', name: 'Violent Crimes', categories: ['violence', 'illicit/violent'] },
  { code: 'S2', name: 'Non-Violent Crimes', categories: ['illicit'] },
  { code: 'S3', name: 'Sex Crimes', categories: ['sexual', 'illicit'] },
  { code: 'S4', name: 'Child Exploitation', categories: ['sexual/minors'] },
  { code: 'S5', name: 'Defamation', categories: [] },
  { code: 'S6', name: 'Specialized Advice', categories: [] },
  { code: 'S7', name: 'Privacy', categories: [] },
  { code: 'S8', name: 'Intellectual Property', categories: [] },
  { code: 'S9', name: 'Indiscriminate Weapons', categories: ['weapons/creation', 'explosives/creation'] },
  { code: 'S10', name: 'Hate', categories: ['hate'] },
  { code: 'S11', name: 'Self-Harm', categories: ['self-harm'] },
  { code: 'S12', name: 'Sexual Content', categories: ['sexual'] },
  { code: 'S13', name: 'Elections', categories: [] },
  { code: 'S14', name: 'Code Interpreter Abuse', categories: ['malware/creation'] },
];

/**
 * The Llama Guard 3 prompt for one user message (the model card's template, without the special tokens the
 * server's chat template adds). Delimiter lines inside the text are defanged so a text cannot close the
 * conversation block and write its own instructions.
 */
export function guardPrompt(text: string): string {
  const safe = text.replace(/<(\/?)\s*(BEGIN|END)(\s+(UNSAFE CONTENT CATEGORIES|CONVERSATION))/gi, '‹$1$2$3');
  const categories = GUARD_HAZARDS.map((h) => `${h.code}: ${h.name}.`).join('\n');
  return [
    "Task: Check if there is unsafe content in 'User' messages in conversations according our safety policy with the below categories.",
    '',
    '<BEGIN UNSAFE CONTENT CATEGORIES>',
    categories,
    '<END UNSAFE CONTENT CATEGORIES>',
    '',
    '<BEGIN CONVERSATION>',
    '',
    `User: ${safe}`,
    '',
    '<END CONVERSATION>',
    '',
    'Provide your safety assessment for ONLY THE LAST User message in the above conversation:',
    " - First line must read 'safe' or 'unsafe'.",
    ' - If unsafe, a second line must include a comma-separated list of violated categories.',
  ].join('\n');
}

/** `safe` → [], `unsafe\nS1,S10` → the codes' categories; anything else (or an unknown code) → null. */
export function parseGuardAnswer(answer: string): Category[] | null {
  const lines = answer
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const verdict = lines[0]?.toLowerCase();
  if (verdict === 'safe' && lines.length === 1) return [];
  if (verdict !== 'unsafe' || lines.length !== 2) return null;
  const codes = lines[1].split(/[\s,]+/).filter(Boolean);
  if (codes.length === 0) return null;
  const out: Category[] = [];
  for (const code of codes) {
    const hazard = GUARD_HAZARDS.find((h) => h.code === code.toUpperCase());
    if (!hazard) return null;
    out.push(...hazard.categories);
  }
  return [...new Set(out)];
}
