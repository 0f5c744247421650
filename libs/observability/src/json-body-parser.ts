import type { FastifyInstance } from 'fastify';
import { checkJsonBytes, type JsonLimits } from './json-limits';

/**
 * The only body parser of both apps: `application/json` (any charset parameter), checked against
 * `limits` before it is parsed. Other content types (text/plain, forms) are refused with a 415, so no
 * body reaches a handler without these checks.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimit: number, limits: JsonLimits): void {
  fastify.removeAllContentTypeParsers();
  // Fastify's parser for the parse itself: secure-json-parse, which refuses `__proto__` and
  // `constructor.prototype` keys (prototype poisoning) with an iterative scan.
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (req, body: Buffer, done) => {
    try {
      checkJsonBytes(body, limits);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    void parse(req, body.toString('utf8'), done);
  });
}
