import { STATUS_CODES } from 'node:http';

/**
 * Reason phrases for the non-IANA statuses the gateway sends. Node writes `HTTP/1.1 529 unknown` for a status it has
 * no phrase for; Anthropic answers `529 Overloaded`. Node's writeHead reads this same table, so registering the phrase
 * once at load is enough (an existing phrase is never replaced).
 */
const PHRASES: Record<number, string> = { 499: 'Client Closed Request', 529: 'Overloaded' };
for (const [status, phrase] of Object.entries(PHRASES)) STATUS_CODES[status] ??= phrase;
