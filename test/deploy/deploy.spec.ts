import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { envSchema } from '@gw/config';

const ROOT = resolve(__dirname, '../../..');
const K8S = join(ROOT, 'deploy/k8s');
/** Variables of the platform, not of the gateway (its config schema ignores them). */
const PLATFORM_ENV = new Set(['NODE_OPTIONS']);
const CONFIG_KEYS = new Set(Object.keys(envSchema.shape));
const ROLES = new Set<string>(['all', 'inference', 'control'].filter((r) => envSchema.shape.GATEWAY_ROLE.safeParse(r).success));
/** The gateway's health routes (libs/observability/src/health.controller.ts). */
const PROBES = new Set(['/health/ready', '/health/live']);
const DEFAULT_GRACE_S = envSchema.shape.SHUTDOWN_GRACE_MS.parse(undefined) / 1000;

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function k8sDocs(): Array<{ file: string; doc: Doc }> {
  return readdirSync(K8S)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => ({ file, doc: d.toJSON() as Doc })))
    .filter((d) => d.doc);
}

const containersOf = (doc: Doc): Doc[] => doc.spec?.template?.spec?.containers ?? [];

/** Issue 13, item 7: the deployment files say only what the gateway understands, and probe what it serves. */
describe('deploy/ and docker-compose.yml', () => {
  it('kustomization lists every manifest (templates *.example.yaml aside)', () => {
    const kust = parseAllDocuments(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8'))[0].toJSON() as { resources: string[] };
    const manifests = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.endsWith('.example.yaml'));
    assert.deepEqual([...kust.resources].sort(), manifests.sort());
  });

  it('every env name in the manifests and the compose file is a gateway setting, every role a valid one', () => {
    const names: string[] = [];
    for (const { doc } of k8sDocs()) {
      if (doc.kind === 'ConfigMap' || doc.kind === 'Secret') names.push(...Object.keys(doc.data ?? doc.stringData ?? {}));
      for (const c of containersOf(doc)) {
        for (const e of c.env ?? []) {
          names.push(e.name);
          if (e.name === 'GATEWAY_ROLE') assert.ok(ROLES.has(e.value), e.value);
        }
      }
    }
    const compose = parseAllDocuments(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'))[0].toJSON() as Doc;
    for (const [name, svc] of Object.entries<Doc>(compose.services)) {
      if (!svc.build) continue; // images of others (postgres, nginx, vLLM)
      for (const [k, v] of Object.entries<string>(svc.environment ?? {})) {
        names.push(k);
        if (k === 'GATEWAY_ROLE') assert.ok(ROLES.has(v), `${name}: ${v}`);
      }
    }
    const unknown = [...new Set(names)].filter((n) => !CONFIG_KEYS.has(n) && !PLATFORM_ENV.has(n));
    assert.deepEqual(unknown, []);
    assert.ok(names.includes('JWT_SECRET') && names.includes('DATABASE_URL') && names.includes('REDIS_URL'));
  });

  it('each gateway Deployment probes its real health routes on its role\'s port and outlasts the drain', () => {
    const deployments = k8sDocs().filter((d) => d.doc.kind === 'Deployment');
    assert.deepEqual(deployments.map((d) => d.doc.metadata.name).sort(), ['gateway-control', 'gateway-inference']);
    for (const { doc } of deployments) {
      const [c] = containersOf(doc);
      const role = (c.env as Doc[]).find((e) => e.name === 'GATEWAY_ROLE')?.value;
      const port = c.ports[0].containerPort;
      assert.equal(port, role === 'control' ? envSchema.shape.CONTROL_PORT.parse(undefined) : envSchema.shape.INFERENCE_PORT.parse(undefined));
      assert.equal(c.readinessProbe.httpGet.path, '/health/ready');
      assert.ok(PROBES.has(c.livenessProbe.httpGet.path));
      assert.ok(doc.spec.template.spec.terminationGracePeriodSeconds > DEFAULT_GRACE_S + 5, `${doc.metadata.name}: grace period`);
      assert.ok(c.resources?.requests?.cpu && c.resources?.limits?.memory, `${doc.metadata.name}: resources`);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    }
  });

  it('the compose file: two inference replicas behind nginx, one control, JWT_SECRET required, vLLM optional', () => {
    const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
    const compose = parseAllDocuments(text)[0].toJSON() as Doc;
    const roles = Object.values<Doc>(compose.services).map((s) => s.environment?.GATEWAY_ROLE).filter(Boolean);
    assert.deepEqual(roles.sort(), ['control', 'inference', 'inference']);
    assert.match(text, /JWT_SECRET: \$\{JWT_SECRET:\?/);
    assert.deepEqual(compose.services.vllm.profiles, ['vllm']);
    const nginx = readFileSync(join(ROOT, 'deploy/compose/nginx.conf'), 'utf8');
    for (const name of Object.keys(compose.services).filter((n) => compose.services[n].environment?.GATEWAY_ROLE === 'inference')) {
      assert.match(nginx, new RegExp(`server ${name}:8080`));
    }
    assert.match(nginx, /proxy_buffering off/);
  });

  it('docker compose config accepts the file (where Docker has the compose plugin)', (t) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) return t.skip(`docker compose not available here (${(probe.stderr || probe.error?.message || 'no docker').trim().split('\n')[0]}): validation skipped`);
    const out = spawnSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), 'config', '-q'], { encoding: 'utf8', env: { ...process.env, JWT_SECRET: 'x'.repeat(48) } });
    assert.equal(out.status, 0, out.stderr);
  });
});
