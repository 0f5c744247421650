import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { answer, Faults, listen, type TestServer } from './http-server';

/**
 * An S3-compatible stand-in (path-style, like MinIO behind an `endpoint`): `PUT /<bucket>/<key>` stores the
 * body, `GET /<bucket>/<key>` returns it. It checks what a real store would refuse: a SigV4 `authorization`
 * header naming a known access key id (403 InvalidAccessKeyId), a body matching `x-amz-content-sha256` when that
 * is a hash (400), no `aws-chunked` encoding (which several S3-compatible stores reject), a known bucket (404).
 * Signatures themselves are not recomputed: that is the SDK's code, not ours.
 */
export interface StoredObject {
  body: Buffer;
  contentType: string | undefined;
  headers: IncomingHttpHeaders;
}

export interface S3Receiver extends TestServer {
  endpoint: string;
  faults: Faults;
  /** Objects by `<bucket>/<key>`. */
  readonly objects: Map<string, StoredObject>;
  /** Successful PUTs, overwrites included. */
  readonly puts: string[];
}

const xmlError = (code: string, message: string): string => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
const SIGV4 = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/[a-z0-9-]+\/s3\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/;

export async function startS3Receiver(opts: { accessKeyId: string; bucket: string }): Promise<S3Receiver> {
  const faults = new Faults();
  const objects = new Map<string, StoredObject>();
  const puts: string[] = [];
  const server = await listen((req, res, body) => {
    const xml = (status: number, code: string, message: string) => answer(res, status, xmlError(code, message), { 'content-type': 'application/xml' });
    const sig = SIGV4.exec(String(req.headers.authorization ?? ''));
    if (!sig) return xml(403, 'AccessDenied', 'Missing or malformed SigV4 authorization');
    if (sig[1] !== opts.accessKeyId) return xml(403, 'InvalidAccessKeyId', 'The access key id does not exist');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const slash = path.indexOf('/', 1);
    const bucket = decodeURIComponent(path.slice(1, slash < 0 ? undefined : slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    if (bucket !== opts.bucket) return xml(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (faults.apply(res)) return;
    const id = `${bucket}/${key}`;
    if (req.method === 'GET') {
      const obj = objects.get(id);
      if (!obj) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, { 'content-type': obj.contentType ?? 'application/octet-stream', 'content-length': obj.body.length });
      return void res.end(obj.body);
    }
    if (req.method !== 'PUT' || !key) return xml(405, 'MethodNotAllowed', 'Only PUT and GET of objects');
    if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) return xml(501, 'NotImplemented', 'aws-chunked encoding is not supported');
    const declared = String(req.headers['x-amz-content-sha256'] ?? '');
    if (/^[0-9a-f]{64}$/.test(declared) && declared !== createHash('sha256').update(body).digest('hex')) {
      return xml(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 does not match');
    }
    objects.set(id, { body, contentType: req.headers['content-type'], headers: req.headers });
    puts.push(id);
    answer(res, 200, '', { etag: `"${createHash('md5').update(body).digest('hex')}"` });
  });
  return Object.assign(server, { endpoint: server.origin, faults, objects, puts });
}
