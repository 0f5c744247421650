import { MAX_RETAINED_CHARS } from '@gw/audit';
import type { ContentDigest, RetainedContent } from '@gw/inference';

/**
 * The digest of a request whose policy retains content (`audit.retain_content`): digests like any other, and keeps
 * the texts it digests (the same last user message `prompt_hmac` covers, and the generated text) for the audit
 * record, which seals them. The output stops growing one delta past the retained length (the vault cuts and flags it).
 */
export class RetainingDigest implements ContentDigest {
  private promptText: string | null = null;
  private readonly out: string[] = [];
  private outChars = 0;

  constructor(
    private readonly inner: ContentDigest,
    private readonly days: number | null,
  ) {}

  prompt(text: string): void {
    this.inner.prompt(text);
    this.promptText = text;
  }

  output(delta: string): void {
    this.inner.output(delta);
    if (this.outChars > MAX_RETAINED_CHARS) return;
    this.out.push(delta);
    this.outChars += delta.length;
  }

  digests(): Record<string, string | null> {
    return this.inner.digests();
  }

  retained(): RetainedContent {
    return { prompt: this.promptText, output: this.out.length ? this.out.join('') : null, days: this.days };
  }
}
