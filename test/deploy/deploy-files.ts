import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { HealthController } from '@gw/observability';

/** The repository root: the nearest directory above this file with a docker-compose.yml (whether built into a dist directory or not). */
export const ROOT = ((dir: string): string => {
  while (!existsSync(join(dir, 'docker-compose.yml'))) {
    if (dirname(dir) === dir) throw new Error(`no docker-compose.yml above ${__dirname}`);
    dir = dirname(dir);
  }
  return dir;
})(__dirname);
export const K8S = join(ROOT, 'deploy/k8s');
export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

export type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every document of every YAML file under deploy/k8s, with its file name. */
export function k8sDocs(): Array<{ file: string; doc: Doc }> {
  return readdirSync(K8S)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => ({ file, doc: d.toJSON() as Doc })))
    .filter((d) => d.doc);
}

/** docker-compose.yml with its `<<` merge keys applied, as Compose applies them. */
export const compose = (): Doc => parse(read('docker-compose.yml'), { merge: true }) as Doc;

/**
 * Compose's interpolation of one value: `${X:-default}` and `${X-default}` take `vars.X` or the default, `${X:?msg}`
 * throws without `vars.X` (as `docker compose` refuses to start), `${X}` is `vars.X` or empty.
 */
export function interpolate(value: unknown, vars: Record<string, string>): string {
  return String(value).replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, op: string | undefined, arg: string) => {
    const set = vars[name] !== undefined && (vars[name] !== '' || !op?.startsWith(':'));
    if (set) return vars[name];
    if (op?.endsWith('?')) throw new Error(`${name}: ${arg}`);
    return op ? arg : '';
  });
}

/** The gateway services of the compose file (built from this repository) and their interpolated environments. */
export function gatewayServices(vars: Record<string, string>): Array<{ name: string; svc: Doc; env: Record<string, string> }> {
  return Object.entries<Doc>(compose().services)
    .filter(([, svc]) => svc.build)
    .map(([name, svc]) => ({
      name,
      svc,
      env: Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(v, vars)])),
    }));
}

/** The gateway's health routes, from its controller's Nest metadata: `{ live: '/health/live', ready: '/health/ready' }`. */
export function healthRoutes(): Record<string, string> {
  const base = Reflect.getMetadata('path', HealthController) as string;
  const proto = HealthController.prototype as unknown as Record<string, object>;
  return Object.fromEntries(
    Object.getOwnPropertyNames(proto)
      .filter((m) => m !== 'constructor' && Reflect.getMetadata('path', proto[m]) !== undefined)
      .map((m) => [m, posix.join('/', base, Reflect.getMetadata('path', proto[m]) as string)]),
  );
}

/** `WORKDIR` and the `ENV NAME=value` lines of the Dockerfile (the image every manifest runs). */
export function dockerfile(): { workdir: string; env: Record<string, string> } {
  const lines = read('Dockerfile').split('\n');
  const workdir = lines.find((l) => l.startsWith('WORKDIR '))!.slice(8).trim();
  const env = Object.fromEntries(lines.filter((l) => l.startsWith('ENV ')).map((l) => /^ENV (\w+)=(.*)$/.exec(l.trim())!.slice(1, 3) as [string, string]));
  return { workdir, env };
}

/** Seconds of a Compose duration such as `30s`, `1m30s`. */
export function seconds(duration: string): number {
  let total = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(h|m|s)/g)) total += Number(n) * { h: 3600, m: 60, s: 1 }[unit as 'h' | 'm' | 's'];
  return total;
}
