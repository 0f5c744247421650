import type { Rng } from './prng';
import type { Raw } from './raw-json';

export type EndpointName = 'chat' | 'responses' | 'messages' | 'count_tokens' | 'policy_chat' | 'policy_messages' | 'login' | 'keys' | 'grants' | 'users';
export type Envelope = 'openai' | 'anthropic' | 'control';
/** A JSON path: object keys and array indexes. */
export type Path = Array<string | number>;
export type Json = null | boolean | number | string | Raw | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Credentials and names of the run the generator builds requests for. */
export interface FuzzContext {
  apiKey: string;
  /** A login token of the fuzz organisation's owner. */
  jwt: string;
  /** The gateway's JWT secret, to forge tokens with hostile claims that still verify. */
  jwtSecret: string;
  email: string;
  password: string;
  /** Unique per run: request ids and generated e-mail addresses carry it. */
  runTag: string;
}

/** One endpoint as the generator sees it. */
export interface EndpointSpec {
  name: EndpointName;
  plane: 'inference' | 'control';
  path: string;
  envelope: Envelope;
  /** The credential a well-formed request carries. */
  auth: 'key' | 'jwt' | 'none';
  /** Inference requests that reach routing must each leave exactly one audit row. */
  audited: boolean;
  /** A valid body (varied by `rng`). */
  base(rng: Rng, ctx: FuzzContext, index: number): JsonObject;
  /** Fields that take integers (added when the base lacks them). */
  integerFields: Path[];
  /** Object-typed fields (set to `{}` by the empty-object mutator, in addition to objects found in the base). */
  objectFields: Path[];
  /** Places a deeply nested value (with whatever surrounding structure the place needs) into a body. */
  deepSites: Array<{ name: string; put(body: JsonObject, deep: Raw): void }>;
  /** Array fields the huge-array mutator fills, with the element it repeats. */
  arrayFields: Array<{ path: Path; item: Json }>;
  /** Whether a well-formed base body must be served (login bases mostly carry a wrong password: a 401 is right). */
  mustServe?(body: JsonObject, ctx: FuzzContext): boolean;
  /** Overrides of the case-kind weights (see generator.ts), e.g. fewer well-formed logins (each costs an argon2 verify). */
  weights?: Record<string, number>;
  /** Checks a 2xx body; returns a problem or undefined. `text` is the raw body (SSE when streaming). */
  checkOk(text: string, stream: boolean): string | undefined;
}
