import type { ConnectorConfigs, ConnectorKind } from './connector.types';

/**
 * Which config fields are credentials, per kind: they are sealed at rest (`SecretBox.sealConfig`), masked on read
 * ({@link maskConfig}) and scrubbed from error strings ({@link secretValues}). `headers.*` means every header
 * value: authentication to a webhook or collector goes in a header (spec §4.10, "values masked in console").
 */
export const SECRET_FIELDS: Readonly<Record<ConnectorKind, readonly string[]>> = {
  webhook: ['secret', 'headers.*'],
  splunk_hec: ['token'],
  s3: ['secret_access_key'],
  otlp_logs: ['headers.*'],
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A copy of `config` with `fn` applied to every secret string, given its path (`secret`, `headers.authorization`).
 * Non-string values are left as they are (validation reports them).
 */
export function mapSecrets<T extends object>(kind: ConnectorKind, config: T, fn: (value: string, path: string) => string): T {
  const out: Plain = { ...(config as Plain) };
  for (const field of SECRET_FIELDS[kind]) {
    if (field.endsWith('.*')) {
      const parent = field.slice(0, -2);
      const map = out[parent];
      if (!isPlain(map)) continue;
      out[parent] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'string' ? fn(v, `${parent}.${k}`) : v]));
    } else if (typeof out[field] === 'string') {
      out[field] = fn(out[field], field);
    }
  }
  return out as T;
}

/** Shortest secret whose last 4 characters are shown: at most a third of it is revealed. */
const SHOW_TAIL_FROM = 12;

/** `"****" + last 4` for a secret of 12 characters or more, `"****"` for a shorter one. */
export const maskValue = (v: string): string => (v.length >= SHOW_TAIL_FROM ? `****${v.slice(-4)}` : '****');

/** The config as the API shows it: every secret masked, everything else as stored. */
export function maskConfig<K extends ConnectorKind>(kind: K, config: ConnectorConfigs[K]): ConnectorConfigs[K] {
  return mapSecrets(kind, config, maskValue);
}

/**
 * For updates: a client that read a masked config and sends it back unchanged keeps the stored secrets. Every
 * secret in `incoming` equal to the mask of the stored value at the same path is replaced by the stored value;
 * a new value (or a new header) is kept. Run before validation (a mask is too short to be a valid `secret`).
 */
export function restoreMaskedSecrets<T extends object>(kind: ConnectorKind, incoming: T, stored: object): T {
  const storedValues = new Map<string, string>();
  mapSecrets(kind, stored, (v, path) => {
    storedValues.set(path, v);
    return v;
  });
  return mapSecrets(kind, incoming, (v, path) => {
    const old = storedValues.get(path);
    return old !== undefined && v === maskValue(old) ? old : v;
  });
}

/** Every secret value of a config (for scrubbing error strings). */
export function secretValues(kind: ConnectorKind, config: object): string[] {
  const out: string[] = [];
  mapSecrets(kind, config, (v) => {
    out.push(v);
    return v;
  });
  return out;
}
