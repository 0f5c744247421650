/**
 * Issue 9's S4 step: what the policy layer adds per request, in process, on the 8 KB prompt: the policy-field
 * split (every request, `/v1` included), the pre-check with 1,000 deny terms and every PII detector (and with the
 * built-in category classifier too), one output-scanner step per streamed delta (the TTFT it can add), and the
 * compile of such a policy (once per policy version, cached).
 */
import { openAIChatAdapter } from '../../apps/inference/src/protocols/openai-chat/openai-chat.adapter';
import { takePolicyFields } from '../../apps/inference/src/policy/policy-fields';
import type { CanonicalRequest } from '@gw/inference';
import { canonicalSegments, classifyText, compilePolicy, evaluate, lexiconClassifier, OutputScanner, PolicyRun, Redactor } from '@gw/policy';
import { bodyText } from './s4-bodies';
import type { Stage } from './s4-timer';

/** 1,000 deny terms shaped like real lists: single words, codenames and phrases. */
export function denyTerms(n = 1000): string[] {
  const words = ['project', 'internal', 'codename', 'competitor', 'merger', 'layoff', 'roadmap', 'pricing', 'acquisition', 'breach'];
  return Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `term${i}` : i % 3 === 1 ? `${words[i % 10]} ${words[(i * 7) % 10]} x${i}` : `codename-${i}`));
}

export function policyStages(model: string): Stage[] {
  const doc = { policy_id: 'bench', config: { rules: { denylist: denyTerms(), redact_pii: true, flagged_categories: ['hate', 'harassment', 'violence', 'self-harm'] } } };
  const withoutCategories = { policy_id: 'bench', config: { rules: { denylist: denyTerms(), redact_pii: true } } };
  const compiled = compilePolicy(doc);
  const compiledNoCats = compilePolicy(withoutCategories);
  const body = JSON.parse(bodyText('chat', '8k', model)) as Record<string, unknown>;
  const canonical = (openAIChatAdapter.parse(body, {} as never, {}) as { canonical: CanonicalRequest }).canonical;
  const segments = canonicalSegments(canonical);
  const subject = { quotaSubject: 'bench-user', target: null };
  const runOpts = { policy: compiled, subject: { policyUser: null, quotaSubject: 'bench-user', target: null, projectId: null }, classifier: lexiconClassifier, streamClassify: classifyText, holdChars: 256 };
  const prose = (canonical.messages[1].content[0] as { text: string }).text;
  let scanner = new OutputScanner(compiled, { enforced: true, redactor: new Redactor(), classify: classifyText });
  let at = 0;
  return [
    { stage: 'policy: split policy fields off a body (none present: the /v1 path)', body: '8k', run: () => takePolicyFields(body, {}) },
    { stage: 'policy: pre-check, 1,000 deny terms + every PII detector', body: '8k', run: () => evaluate(compiledNoCats, { segments, subject }) },
    { stage: 'policy: pre-check, + built-in categories (PolicyRun.start)', body: '8k', run: () => PolicyRun.start(runOpts, canonical), async: true },
    {
      stage: 'policy: output scanner, one 4-character delta (stream)',
      body: '–',
      run: () => {
        if (at + 4 > prose.length) {
          scanner = new OutputScanner(compiled, { enforced: true, redactor: new Redactor(), classify: classifyText });
          at = 0;
        }
        return scanner.push(prose.slice(at, (at += 4)));
      },
    },
    { stage: 'policy: compile 1,000-term policy (once per version, cached)', body: '–', run: () => compilePolicy(doc) },
  ];
}
