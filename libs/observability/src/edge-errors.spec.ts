import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpException } from '@nestjs/common';
import { EdgeError, fromClientError, fromFastifyError, rawHttpResponse } from './edge-errors';

describe('edge errors', () => {
  it("maps Fastify's parser errors (as Nest wraps them) to our codes, and leaves others alone", () => {
    const fst = Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 });
    const wrapped = new HttpException(fst.message, 413, { cause: fst });
    for (const err of [fst, wrapped]) {
      const e = fromFastifyError(err, 1024);
      assert.ok(e instanceof EdgeError);
      assert.deepEqual([e.statusCode, e.code, e.message], [413, 'request_too_large', 'The request body is larger than the 1024-byte limit.']);
    }
    const media = fromFastifyError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), 1, 'text/pl\u0000ain');
    assert.equal((media as EdgeError).message, "Unsupported content type 'text/pl?ain': send the body as application/json.");
    const other = new Error('boom');
    assert.equal(fromFastifyError(other, 1), other);
  });

  it("maps Node's client errors by code, echoing only llhttp's fixed reason", () => {
    const e = (code: string, reason?: string) => fromClientError(Object.assign(new Error('x'), { code, reason }), { requestTimeoutMs: 2000 });
    assert.deepEqual([e('ERR_HTTP_REQUEST_TIMEOUT').statusCode, e('ERR_HTTP_REQUEST_TIMEOUT').code], [408, 'request_timeout']);
    assert.equal(e('HPE_HEADER_OVERFLOW').statusCode, 431);
    assert.equal(e('HPE_INVALID_HEADER_TOKEN', 'Invalid header value char').message, 'The request is not valid HTTP/1.1: Invalid header value char.');
  });

  it('writes a complete response that closes the connection', () => {
    const raw = rawHttpResponse(431, { error: { message: 'é' } }, { 'x-request-id': 'r1' });
    const [head, body] = raw.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(head, /\r\nconnection: close\r\n/);
    assert.match(head, new RegExp(`content-length: ${Buffer.byteLength(body)}\\r\\n`));
    assert.match(head, /\r\nx-request-id: r1$/);
  });
});
