import { randomBytes } from 'node:crypto';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Injectable } from '@nestjs/common';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Memory-hard password hashing (argon2id, PHC strings). {@link verify} with no stored hash checks
 * against a fixed dummy hash, so a login for an unknown email costs as much as one for a known email.
 */
@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  /** False for a wrong password, a missing hash (`null`: unknown user) or a malformed hash. */
  async verify(storedHash: string | null, password: string): Promise<boolean> {
    const target = storedHash ?? (await this.dummyHash());
    try {
      const ok = await verify(target, password);
      return ok && storedHash !== null;
    } catch {
      return false;
    }
  }

  /** Computes the dummy hash ahead of the first login (so that one is not slower either). */
  warmUp(): void {
    this.dummyHash().catch(() => undefined);
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummy;
  }
}
