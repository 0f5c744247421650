import type { SimulationInput, SimulationSurface } from './simulate';

/** A simulation body field that is not what the endpoint accepts: a 400 naming it. */
export class SimulationInputError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimulationInputError';
  }
}

const SURFACES: readonly SimulationSurface[] = ['chat.completions', 'responses', 'messages'];
const MAX_ITEMS = 10_000;
const MAX_OUTPUT = 4 << 20;

/**
 * Checks the shape of a simulation body (policy fields already taken off): `surface?`, and `messages?` |
 * `input?` | `system?` | `instructions?` in that surface's shape, and `output?`. Texts inside the messages are
 * read leniently (what is not text is skipped), since no model will parse them.
 */
export function parseSimulationBody(body: unknown): SimulationInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new SimulationInputError('(body)', 'The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const surface = b.surface ?? 'chat.completions';
  if (typeof surface !== 'string' || !SURFACES.includes(surface as SimulationSurface)) {
    throw new SimulationInputError('surface', `Invalid value for 'surface': expected one of ${SURFACES.map((s) => `"${s}"`).join(', ')}.`);
  }
  for (const key of ['messages', 'input']) {
    const v = b[key];
    if (v === undefined || v === null) continue;
    if (key === 'input' && typeof v === 'string') continue;
    if (!Array.isArray(v)) throw new SimulationInputError(key, `Invalid type for '${key}': expected an array${key === 'input' ? ' or a string' : ''}.`);
    if (v.length > MAX_ITEMS) throw new SimulationInputError(key, `Invalid '${key}': array too long. Expected at most ${MAX_ITEMS} items.`);
    v.forEach((m, i) => {
      if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new SimulationInputError(`${key}[${i}]`, `Invalid type for '${key}[${i}]': expected an object.`);
    });
  }
  for (const key of ['system', 'instructions']) {
    const v = b[key];
    if (v !== undefined && v !== null && typeof v !== 'string' && !Array.isArray(v)) throw new SimulationInputError(key, `Invalid type for '${key}': expected a string or an array.`);
  }
  const output = b.output ?? null;
  if (output !== null && typeof output !== 'string') throw new SimulationInputError('output', "Invalid type for 'output': expected a string.");
  if (typeof output === 'string' && output.length > MAX_OUTPUT) throw new SimulationInputError('output', `Invalid 'output': longer than ${MAX_OUTPUT} characters.`);
  if (b.messages === undefined && b.input === undefined && b.system === undefined && b.instructions === undefined && output === null) {
    throw new SimulationInputError('messages', "Nothing to simulate: send 'messages' (or 'input'), 'system', and/or 'output'.");
  }
  const texts: Record<string, unknown> = {};
  for (const key of ['messages', 'input', 'system', 'instructions']) if (b[key] !== undefined && b[key] !== null) texts[key] = b[key];
  return { surface: surface as SimulationSurface, body: texts, output };
}
