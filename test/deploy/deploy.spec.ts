import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigError, envSchema, loadConfig, type GatewayConfig } from '@gw/config';
import { compose, dockerfile, gatewayServices, healthRoutes, interpolate, K8S, k8sDocs, read, ROOT, seconds, type Doc } from './deploy-files';

/** Variables of the platform, not of the gateway (its config schema ignores them). */
const PLATFORM_ENV = new Set(['NODE_OPTIONS']);
const CONFIG_KEYS = new Set(Object.keys(envSchema.shape));
const ROLES: readonly string[] = envSchema.shape.GATEWAY_ROLE.unwrap().options;
/** What a deployment supplies for the host-side variables it requires (`${JWT_SECRET:?…}`) and its secrets. */
const VARS = { JWT_SECRET: 'x'.repeat(48) };
const SECRETS = { JWT_SECRET: 'x'.repeat(48), DATABASE_URL: 'postgres://gw:pw@db:5432/gw', REDIS_URL: 'redis://redis:6379' };
const ROUTES = healthRoutes();
const IMAGE = dockerfile();

const docs = k8sDocs();
const kinds = (kind: string): Doc[] => docs.filter((d) => d.doc.kind === kind).map((d) => d.doc);
const podOf = (doc: Doc): Doc => doc.spec.template.spec;
const roleOf = (c: Doc): string | undefined => (c.env as Doc[] | undefined)?.find((e) => e.name === 'GATEWAY_ROLE')?.value;
/** The settings a k8s container runs with: the ConfigMap, its own env, and stand-ins for the Secret. */
function k8sConfig(c: Doc): GatewayConfig {
  const data = kinds('ConfigMap').find((m) => c.envFrom.some((f: Doc) => f.configMapRef?.name === m.metadata.name))!.data as Record<string, string>;
  return loadConfig({ ...data, ...SECRETS, ...Object.fromEntries((c.env ?? []).map((e: Doc) => [e.name, e.value])) });
}
const portOf = (config: GatewayConfig, role: string | undefined): number => (role === 'control' ? config.env.CONTROL_PORT : config.env.INFERENCE_PORT);
const MIGRATE = ['node', 'dist/apps/cli/ops.js', 'migrate'];

/** Issue 13, item 7: the deployment files say only what the gateway understands, and probe what it serves. */
describe('deploy/k8s', () => {
  it('kustomization lists every manifest (the Secret template aside) and names the image every pod runs', () => {
    const kust = parse(read('deploy/k8s/kustomization.yaml')) as Doc;
    const manifests = readdirSync(K8S).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml' && !f.endsWith('.example.yaml'));
    assert.deepEqual([...kust.resources].sort(), manifests.sort());
    const images = new Set(docs.flatMap((d) => (d.doc.spec?.template?.spec?.containers ?? []).map((c: Doc) => c.image.split(':')[0])));
    assert.deepEqual([...images], kust.images.map((i: Doc) => i.name));
  });

  it('every variable is a gateway setting, every value one it accepts, every role a valid one', () => {
    const cm = kinds('ConfigMap');
    const secret = kinds('Secret')[0];
    const names = [...cm.flatMap((m) => Object.keys(m.data)), ...Object.keys(secret.stringData)];
    for (const m of cm) for (const v of Object.values(m.data)) assert.equal(typeof v, 'string', `${m.metadata.name}: ConfigMap values are strings`);
    for (const c of [...kinds('Deployment'), ...kinds('Job')].flatMap((d) => podOf(d).containers as Doc[])) {
      names.push(...(c.env ?? []).map((e: Doc) => e.name));
      assert.ok(!roleOf(c) || ROLES.includes(roleOf(c)!), roleOf(c));
      assert.equal(c.envFrom.find((f: Doc) => f.secretRef)?.secretRef.name, secret.metadata.name);
      assert.doesNotThrow(() => k8sConfig(c), c.name);
    }
    assert.deepEqual(names.filter((n) => !CONFIG_KEYS.has(n) && !PLATFORM_ENV.has(n)), []);
    for (const key of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL']) assert.ok(key in secret.stringData, key);
    // The template's placeholders must never run: the gateway refuses them.
    assert.throws(() => loadConfig({ ...cm[0].data, ...secret.stringData }), (e: Error) => e instanceof ConfigError && /JWT_SECRET/.test(e.message));
  });

  it('one control and 2+ inference replicas, probed on their real health routes and ports, outlasting the drain', () => {
    const deployments = kinds('Deployment');
    assert.deepEqual(deployments.map((d) => roleOf(podOf(d).containers[0])).sort(), ['control', 'inference']);
    for (const d of deployments) {
      const pod = podOf(d);
      const c = pod.containers[0] as Doc;
      const config = k8sConfig(c);
      const name = d.metadata.name as string;
      assert.ok(roleOf(c) === 'control' ? d.spec.replicas === 1 : d.spec.replicas >= 2, `${name}: replicas`);
      assert.equal(c.ports.find((p: Doc) => p.name === 'http').containerPort, portOf(config, roleOf(c)), `${name}: port`);
      assert.equal(c.readinessProbe?.httpGet.path, ROUTES.ready, `${name}: readiness`);
      assert.equal(c.livenessProbe?.httpGet.path, ROUTES.live, `${name}: liveness`);
      const preStop = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      assert.ok(pod.terminationGracePeriodSeconds >= config.env.SHUTDOWN_GRACE_MS / 1000 + preStop + 10, `${name}: grace period`);
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, `${name}: resources`);
      const svc = kinds('Service').find((s) => s.spec.selector['gateway-role'] === roleOf(c))!;
      assert.deepEqual(svc.spec.selector, d.spec.selector.matchLabels);
      assert.deepEqual(svc.spec.ports[0], { name: 'http', port: portOf(config, roleOf(c)), targetPort: 'http' });
    }
    assert.ok(/controllers: \[[^\]]*HealthController/.test(read('apps/inference/src/inference-app.module.ts')));
    assert.ok(/controllers: \[[^\]]*HealthController/.test(read('apps/control/src/control-app.module.ts')));
  });

  it('the HPA scales the inference Deployment, the PDB guards it, the migrate Job runs the ops CLI', () => {
    const inference = kinds('Deployment').find((d) => roleOf(podOf(d).containers[0]) === 'inference')!;
    const [hpa] = kinds('HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: inference.metadata.name });
    assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.metrics[0].resource.name === 'cpu');
    assert.deepEqual(kinds('PodDisruptionBudget')[0].spec.selector.matchLabels, inference.spec.selector.matchLabels);
    assert.deepEqual(podOf(kinds('Job')[0]).containers[0].command, MIGRATE);
    // `kubectl apply -k deploy/k8s -l gateway-role=migrate` (docs/scale-out.md) must select the Job alone.
    assert.deepEqual(docs.filter((d) => d.doc.metadata?.labels?.['gateway-role'] === 'migrate').map((d) => d.doc.kind), ['Job']);
    assert.match(read('apps/cli/ops.ts'), /\.command\('migrate'\)/);
  });

  it('kubectl kustomize renders the manifests (where kubectl exists; it needs no cluster)', (t) => {
    const out = spawnSync('kubectl', ['kustomize', K8S], { encoding: 'utf8' });
    if (out.error) return t.skip(`kubectl not available (${out.error.message}): kustomize rendering skipped`);
    assert.equal(out.status, 0, out.stderr);
    const rendered = parseAllDocuments(out.stdout).map((d) => d.toJSON() as Doc);
    const kust = parse(read('deploy/k8s/kustomization.yaml')) as { resources: string[] };
    assert.equal(rendered.length, docs.filter((d) => kust.resources.includes(d.file)).length);
    assert.ok(rendered.every((d) => d.kind === 'Namespace' || d.metadata.namespace === 'llm-gateway'));
  });

  it('pods are restricted: non-root, read-only root, DATA_DIR and /tmp writable, NODE_OPTIONS left to the image', () => {
    for (const d of [...kinds('Deployment'), ...kinds('Job')]) {
      const pod = podOf(d);
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
      for (const c of pod.containers as Doc[]) {
        assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        const mounts = (c.volumeMounts as Doc[]).map((m) => m.mountPath);
        assert.ok(mounts.includes(posix.resolve(IMAGE.workdir, k8sConfig(c).env.DATA_DIR)) && mounts.includes('/tmp'), `${c.name}: ${mounts}`);
      }
    }
    // The image computes its node flags at start (scripts/node-flags.sh) for the pod's CPUs; a fixed value would not.
    assert.equal(kinds('ConfigMap')[0].data.NODE_OPTIONS, undefined);
    assert.equal(IMAGE.env.NODE_OPTIONS, undefined);
    assert.match(read('Dockerfile'), /^CMD \["sh", "-c", "export NODE_OPTIONS=\\"\$\{NODE_OPTIONS:-\$\(sh scripts\/node-flags\.sh\)\}\\"; exec node dist\/apps\/main\.js"\]$/m);
  });
});

/** The node flags of start.sh and the image: V8's helper threads sized to the CPUs the gateway may use. */
describe('scripts/node-flags.sh', () => {
  const flags = (env: Record<string, string> = {}, pin?: string): string => {
    const cmd = pin ? ['taskset', '-c', pin, 'sh', 'scripts/node-flags.sh'] : ['sh', 'scripts/node-flags.sh'];
    const out = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.trim();
  };
  const pool = (cpus: number) => Math.min(4, Math.max(1, cpus - 1));
  const none = join(ROOT, 'no-such-cpu.max');

  it('keeps the 64 MB young generation and gives V8 the CPUs less the event loop\'s (1 to 4 helpers)', () => {
    const cpus = availableParallelism();
    assert.equal(flags({ CGROUP_CPU_MAX: none }), `--max-semi-space-size=64 --v8-pool-size=${pool(cpus)}`);
    assert.equal(flags({ CGROUP_CPU_MAX: none, OMP_NUM_THREADS: '64' }), `--max-semi-space-size=64 --v8-pool-size=${pool(cpus)}`, 'OpenMP variables are not CPUs');
  });

  it('counts the affinity mask (taskset) and a cgroup CPU quota, whichever is lower', (t) => {
    if (spawnSync('taskset', ['-V']).error) return t.skip('taskset not available');
    assert.equal(flags({ CGROUP_CPU_MAX: none }, '0'), '--max-semi-space-size=64 --v8-pool-size=1');
    const dir = mkdtempSync(join(tmpdir(), 'gw-cpu-max-'));
    try {
      const quota = (text: string) => (writeFileSync(join(dir, 'cpu.max'), text), flags({ CGROUP_CPU_MAX: join(dir, 'cpu.max') }));
      assert.equal(quota('100000 100000\n'), '--max-semi-space-size=64 --v8-pool-size=1', 'a one-CPU quota');
      assert.equal(quota('max 100000\n'), `--max-semi-space-size=64 --v8-pool-size=${pool(availableParallelism())}`, 'no quota');
      assert.equal(quota('150000 100000\n'), `--max-semi-space-size=64 --v8-pool-size=${pool(Math.min(2, availableParallelism()))}`, '1.5 CPUs round up to 2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('docker-compose.yml', () => {
  const services = gatewayServices(VARS);

  it('JWT_SECRET is required; every variable is a gateway setting and every value one it accepts', () => {
    assert.throws(() => gatewayServices({}), /JWT_SECRET/);
    const names = services.flatMap((s) => Object.keys(s.env));
    assert.deepEqual([...new Set(names)].filter((n) => !CONFIG_KEYS.has(n) && !PLATFORM_ENV.has(n)), []);
    for (const s of services) {
      assert.doesNotThrow(() => loadConfig(s.env), s.name);
      for (const k of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL']) assert.ok(s.env[k], `${s.name}: ${k}`);
    }
    assert.equal(new Set(services.map((s) => s.env.JWT_SECRET)).size, 1, 'one JWT_SECRET for every replica');
  });

  it('one control and two inference replicas with readiness healthchecks, grace beyond the drain, a migrate one-shot', () => {
    const roles = services.map((s) => s.env.GATEWAY_ROLE).filter(Boolean);
    assert.deepEqual(roles.sort(), ['control', 'inference', 'inference']);
    for (const s of services.filter((x) => x.env.GATEWAY_ROLE)) {
      const config = loadConfig(s.env);
      assert.ok(ROLES.includes(s.env.GATEWAY_ROLE));
      assert.ok(s.svc.healthcheck.test.join(' ').includes(ROUTES.ready), `${s.name}: healthcheck`);
      assert.ok(seconds(s.svc.stop_grace_period) >= config.env.SHUTDOWN_GRACE_MS / 1000 + 10, `${s.name}: stop_grace_period`);
      assert.equal(s.svc.depends_on.migrate.condition, 'service_completed_successfully');
      assert.equal(config.env.MIGRATE_ON_START, false);
    }
    assert.deepEqual(services.find((s) => s.name === 'migrate')!.svc.command, MIGRATE);
  });

  it('nginx balances the inference replicas: passive checks, keep-alive, unbuffered long streams, no POST resent', () => {
    const lb = compose().services.lb as Doc;
    assert.ok(lb.volumes.includes('./deploy/compose/nginx.conf:/etc/nginx/nginx.conf:ro'));
    const nginx = read('deploy/compose/nginx.conf');
    const env = loadConfig(services[0].env).env;
    for (const s of services.filter((x) => x.env.GATEWAY_ROLE === 'inference')) {
      assert.match(nginx, new RegExp(`server ${s.name}:${env.INFERENCE_PORT} max_fails=\\d+`));
      assert.equal(lb.depends_on[s.name].condition, 'service_healthy');
    }
    assert.match(nginx, /keepalive \d+;/);
    assert.match(nginx, /proxy_buffering off;/);
    assert.ok(Number(/proxy_read_timeout (\d+)s;/.exec(nginx)![1]) >= env.UPSTREAM_TIMEOUT_MS / 1000, 'proxy_read_timeout');
    assert.ok(Number(/client_max_body_size (\d+)m;/.exec(nginx)![1]) * 2 ** 20 > env.BODY_LIMIT_BYTES, 'the gateway answers 413');
    // A POST already sent must not be sent twice, and retries need the request buffered.
    assert.doesNotMatch(nginx, /non_idempotent|proxy_request_buffering off/);
    // Open-source nginx resolves upstream names at run time (`resolve`) from 1.27.3.
    const [major, minor] = (lb.image as string).split(':')[1].split('.').map(Number);
    if (/ resolve;/.test(nginx)) assert.ok(major > 1 || minor >= 28, lb.image);
  });

  it('vLLM is optional (profile), on a GPU, serves the model the replicas ask for at the URL they call', () => {
    const vllm = compose().services.vllm as Doc;
    assert.deepEqual(vllm.profiles, ['vllm']);
    assert.match(vllm.image, /^vllm\/vllm-openai:/);
    assert.ok(vllm.deploy.resources.reservations.devices[0].capabilities.includes('gpu'));
    const args = (vllm.command as string[]).map((a) => interpolate(a, VARS));
    const inference = services.find((s) => s.env.GATEWAY_ROLE === 'inference')!.env;
    assert.equal(args[args.indexOf('--served-model-name') + 1], inference.UPSTREAM_MODEL);
    assert.equal(new URL(inference.UPSTREAM_BASE_URL).host, 'vllm:8000');
  });

  it('docker compose config accepts the file (where Docker has the compose plugin)', (t) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const why = (probe.stderr || probe.error?.message || 'no docker').trim().split('\n')[0];
      return t.skip(`docker compose not available (${why}): compose validation skipped`);
    }
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync('docker', ['compose', '-f', join(ROOT, 'docker-compose.yml'), ...args, 'config', '-q'], { encoding: 'utf8', env });
    const { JWT_SECRET: _, ...without } = process.env;
    for (const profile of [[], ['--profile', 'vllm']]) {
      const ok = run(profile, { ...without, ...VARS });
      assert.equal(ok.status, 0, ok.stderr);
    }
    const missing = run([], without);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /JWT_SECRET/);
  });
});
