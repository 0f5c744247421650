import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { stopServer, type TestServer } from './http-server';

/**
 * Test support: an HTTPS receiver with a self-signed certificate for 127.0.0.1 (P-256, valid to 2126), to prove
 * that `verify_tls` is honoured. The key is a test fixture, made for this and used nowhere else.
 */
const TEST_KEY = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgogPlAkRzCXzcfl8+
qSUr/X7v0Ciwzd1JjOzN4CN6gGmhRANCAARCvVgVLHWX9snfIXAV9w1FsEiiTuoB
i2+Pz4LoJabxlzUpPA8V6H31LPex6pzCanNSbYH1Tx/ro278StoQPBvg
-----END PRIVATE KEY-----
`;
const TEST_CERT = `
-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIURYR6EyXVHge25Z/wOqDZ75KY3JgwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNDE2MzUwNloYDzIxMjYxMTEw
MTYzNTA2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARCvVgVLHWX9snfIXAV9w1FsEiiTuoBi2+Pz4LoJabxlzUpPA8V6H31
LPex6pzCanNSbYH1Tx/ro278StoQPBvgo2QwYjAdBgNVHQ4EFgQUzX924IHZYJZp
ed+h7pFW8RizxmQwHwYDVR0jBBgwFoAUzX924IHZYJZped+h7pFW8RizxmQwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IFhKGl5yQ/CWX1qteNtzX+7BoI5+Y1++HRZ4Zx//VbCAAiBnRdhIIz9mGITKs+XO
C68PsDdEf3uFUxoUIY8OU8SUBQ==
-----END CERTIFICATE-----
`;

/** An HTTPS server that answers 200 `{}` to every request (after reading it). */
export async function listenSelfSignedTls(): Promise<TestServer> {
  let requests = 0;
  const server = createServer({ key: TEST_KEY, cert: TEST_CERT }, (req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () => stopServer(server),
  };
}
