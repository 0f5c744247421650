/**
 * The message as a template: quoted strings (`"…"`, `'…'`), hex escapes (`0x00`) and long digit runs
 * are replaced, so `invalid input syntax for type uuid: "acme"` becomes `invalid input syntax for type
 * uuid: "…"`. Postgres puts the offending values in quotes, and the DETAIL field (which holds key
 * values) is never read.
 */
export function messageTemplate(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"?/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'?/g, "'…'")
    .replace(/\b0x[0-9a-f]+(\s+0x[0-9a-f]+)*/gi, '0x…')
    .replace(/\d{4,}/g, '…')
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f\uD800-\uDFFF]/g, '?')
    .slice(0, 200);
}


/**
 * What may be logged about an error whose message or properties can quote caller input (a pg error
 * quotes the bad value; TypeORM's QueryFailedError carries the query and its parameters, which pino's
 * error serializer would copy): its class, code, a {@link messageTemplate} of the message, and the
 * stack frames without the message line.
 */
export function logSafeError(err: unknown): { type: string; code?: string; message: string; stack?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: messageTemplate(String(err)) };
  const code = (err as { code?: unknown }).code;
  const frames = err.stack?.split('\n').filter((l) => /^\s+at /.test(l)).join('\n');
  return { type: err.name, ...(typeof code === 'string' && /^[\w.-]{1,40}$/.test(code) ? { code } : {}), message: messageTemplate(err.message), stack: frames || undefined };
}
