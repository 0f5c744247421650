import type { DataSource, EntityManager } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { randomBase62 } from './api-key.util';
import { AppUserEntity } from './app-user.entity';
import { AppUserRepository, normalizeEmail } from './app-user.repository';
import { IdentityError } from './identity.errors';
import { isAcceptablePassword, isEmail, isPlainText, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, sqlState } from './identity-text';
import { OrganizationEntity } from './organization.entity';
import { OrganizationRepository } from './organization.repository';
import { PasswordHasher } from './password-hasher.service';

export interface BootstrapOptions {
  org: string;
  email: string;
  /** Generated (24 base62 characters, ~143 bits) when omitted. */
  password?: string;
  /** Starting credit grant; applied only through {@link BootstrapOptions.grantCredits}. */
  credits?: number;
  /** Do nothing when any organisation exists. */
  ifEmpty?: boolean;
  keyLabel?: string;
  /**
   * Grants the starting credits inside the bootstrap transaction; returns the balance granted.
   * TODO(lead): wire the metering ledger here (issue #3 credits); until then credits are `null`.
   */
  grantCredits?: (ctx: { manager: EntityManager; orgId: string; userId: string; apiKeyId: string; credits: number }) => Promise<number | null>;
}

export interface BootstrapResult {
  organization: { id: string; name: string };
  user: { id: string; email: string; role: 'owner' };
  password: string;
  api_key: { id: string; key: string; preview: string };
  credits: number | null;
}

/** Same bound as `POST /api/credits/grants` (the ledger enforces it too). */
const MAX_BOOTSTRAP_CREDITS = 1e12;

function validate(opts: BootstrapOptions): void {
  if (!opts.org.trim() || opts.org.length > 200 || !isPlainText(opts.org)) throw IdentityError.invalid('The organisation name must be 1 to 200 printable characters', 'org');
  if (!isEmail(opts.email.trim())) throw IdentityError.invalid('Not an email address', 'email');
  if (opts.password !== undefined && !isAcceptablePassword(opts.password)) {
    throw IdentityError.invalid(`The password needs ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} printable characters`, 'password');
  }
  if (opts.credits !== undefined && !(Number.isSafeInteger(opts.credits) && opts.credits >= 0 && opts.credits <= MAX_BOOTSTRAP_CREDITS)) {
    throw IdentityError.invalid(`Credits must be an integer from 0 to ${MAX_BOOTSTRAP_CREDITS}`, 'credits');
  }
}

/**
 * Creates an organisation, its owner and an API key in one transaction (the bootstrap CLI and the
 * start command on an empty database). With `ifEmpty`, concurrent callers serialise on a table
 * lock and all but the first get `{ skipped: true }`. The result holds the plaintext password and key.
 */
export async function bootstrapOrganization(dataSource: DataSource, opts: BootstrapOptions): Promise<BootstrapResult | { skipped: true }> {
  validate(opts);
  const password = opts.password ?? randomBase62(24);
  const passwordHash = await new PasswordHasher().hash(password);
  return dataSource.transaction(async (manager) => {
    const orgs = new OrganizationRepository(manager.getRepository(OrganizationEntity));
    if (opts.ifEmpty) {
      await orgs.lockForBootstrap();
      if (await orgs.exists()) return { skipped: true as const };
    }
    const users = new AppUserRepository(manager.getRepository(AppUserEntity));
    const keys = new ApiKeyService(new ApiKeyRepository(manager.getRepository(ApiKeyEntity)));
    const org = await orgs.create(opts.org.trim());
    const user = await users.create({ orgId: org.id, email: normalizeEmail(opts.email), passwordHash, role: 'owner' }).catch((err: unknown) => {
      if (sqlState(err) === '23505') throw IdentityError.conflict('A user with this email already exists (emails are unique across the gateway)', 'already_exists', 'email');
      throw err;
    });
    const { key, plaintext } = await keys.create({ orgId: org.id, userId: user.id, label: opts.keyLabel ?? 'bootstrap' });
    // An organisation with no credits is a legitimate start (a zero grant is no ledger entry): its balance is 0.
    const credits =
      opts.credits === 0
        ? 0
        : opts.credits !== undefined && opts.grantCredits
          ? await opts.grantCredits({ manager, orgId: org.id, userId: user.id, apiKeyId: key.id, credits: opts.credits })
          : null;
    return {
      organization: { id: org.id, name: org.name },
      user: { id: user.id, email: user.email, role: 'owner' as const },
      password,
      api_key: { id: key.id, key: plaintext, preview: key.keyPreview },
      credits,
    };
  });
}
