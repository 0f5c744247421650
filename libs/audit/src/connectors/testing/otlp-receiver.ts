import { answer, Faults, listen, type TestServer } from './http-server';

/**
 * An OTLP/HTTP logs receiver (JSON encoding) at `/v1/logs`: requires `content-type: application/json`, parses
 * the ExportLogsServiceRequest and keeps it; answers `{}` (full success) or, when told, a partial success.
 */
export interface OtlpReceiver extends TestServer {
  url: string;
  faults: Faults;
  /** Parsed request bodies, in arrival order. */
  readonly bodies: Array<Record<string, unknown>>;
  /** Request headers, in arrival order. */
  readonly headers: Array<Record<string, string | string[] | undefined>>;
  /** Every log record received, flattened across resources and scopes. */
  logRecords(): Array<Record<string, unknown>>;
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const faults = new Faults();
  const received: Obj[] = [];
  const headers: Array<Record<string, string | string[] | undefined>> = [];
  const server = await listen((req, res, body) => {
    if (req.method !== 'POST' || req.url !== '/v1/logs') return answer(res, 404, { message: 'not found' });
    if (req.headers['content-type'] !== 'application/json') return answer(res, 415, { message: 'unsupported content type' });
    if (faults.apply(res)) return;
    let parsed: Obj;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Obj;
    } catch {
      return answer(res, 400, { message: 'bad json' });
    }
    if (!Array.isArray(parsed.resourceLogs)) return answer(res, 400, { message: 'resourceLogs missing' });
    received.push(parsed);
    headers.push(req.headers);
    answer(res, 200, {});
  });
  return Object.assign(server, {
    url: `${server.origin}/v1/logs`,
    faults,
    bodies: received,
    headers,
    logRecords: () => received.flatMap((r) => list(r.resourceLogs).flatMap((rl) => list(rl.scopeLogs).flatMap((sl) => list(sl.logRecords)))),
  });
}
