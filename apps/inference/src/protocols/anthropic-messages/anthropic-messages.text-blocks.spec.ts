import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '@gw/inference';
import { parseMessages } from './anthropic-messages.adapter';

const parse = (content: unknown[]) => parseMessages({ model: 'm', messages: [{ role: 'user', content }] }, 16).messages[0].content;

describe('anthropic-messages blocks carried as text', () => {
  it('turns text documents, ToolSearch tool references and search results into text parts', () => {
    const parts = parse([
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The body.' }, title: 'Notes', cache_control: { type: 'ephemeral' } },
      { type: 'document', source: { type: 'content', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] } },
      {
        type: 'tool_result',
        tool_use_id: 'toolu_1',
        content: [
          { type: 'tool_reference', tool_name: 'WebFetch' },
          { type: 'search_result', source: 'https://x.test', title: 'X', content: [{ type: 'text', text: 'found' }] },
        ],
      },
    ]);
    assert.deepEqual(parts, [
      { type: 'text', text: 'Notes\n\nThe body.', cacheControl: { type: 'ephemeral' } },
      { type: 'text', text: 'a\nb' },
      {
        type: 'tool_result',
        toolCallId: 'toolu_1',
        content: [
          { type: 'text', text: '[tool available: WebFetch]' },
          { type: 'text', text: 'X (https://x.test)\nfound' },
        ],
      },
    ]);
  });

  it('refuses PDF and URL documents with a 400 naming the source', () => {
    for (const source of [{ type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, { type: 'url', url: 'https://x.test/a.pdf' }]) {
      assert.throws(
        () => parse([{ type: 'document', source }]),
        (e: unknown) => e instanceof GatewayError && e.status === 400 && e.param === 'messages.0.content.0.source.type' && /send the document as text/.test(e.message),
      );
    }
  });
});
