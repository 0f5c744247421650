import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { grantCredits } from '@gw/metering';
import { loadConfig } from '@gw/config';
import { createDataSource, openCliDatabase, runMigrations, type CliDatabase } from '@gw/database';
import type { DataSource } from 'typeorm';
import { bootstrapOrganization, type BootstrapOptions } from '../bootstrap-organization';
import { IdentityError, isIdentityError } from '../identity.errors';

const USAGE = 'usage: bootstrap --org <name> --email <email> [--password <pw>] [--credits <n>] [--if-empty]';

function parse(argv: string[]): BootstrapOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      credits: { type: 'string' },
      'if-empty': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.org || !values.email) throw new Error(USAGE);
  // Digits only: Number() would read '' as 0 and '1e3' or '0x10' as numbers; 0 is a legitimate start.
  if (values.credits !== undefined && !/^\d+$/.test(values.credits)) throw IdentityError.invalid(`must be an integer >= 0 (got ${JSON.stringify(values.credits.slice(0, 40))})`, 'credits');
  const credits = values.credits === undefined ? undefined : Number(values.credits);
  return { org: values.org, email: values.email, password: values.password, credits, ifEmpty: values['if-empty'] };
}

/**
 * `node dist/libs/identity/src/cli/bootstrap.js --org Acme --email admin@acme.test`: creates an
 * organisation, its owner and an API key on DATABASE_URL (else the running embedded gateway's database, else the
 * embedded cluster under DATA_DIR), applying pending migrations first, and prints them as one JSON object on stdout.
 * The same as `ops orgs create` (apps/cli/ops.ts).
 */
async function main(argv: string[]): Promise<number> {
  let pg: CliDatabase | undefined;
  let ds: DataSource | undefined;
  try {
    const opts = parse(argv);
    const config = loadConfig();
    pg = await openCliDatabase(config, (msg) => process.stderr.write(`${msg}\n`));
    if (config.env.MIGRATE_ON_START) await runMigrations(pg.url);
    ds = await createDataSource(pg.url, 2).initialize();
    const result = await bootstrapOrganization(ds, {
      ...opts,
      grantCredits: ({ manager, orgId, userId, credits }) => grantCredits(manager, orgId, credits, userId),
    });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    const message = isIdentityError(err) ? `${err.param ?? 'input'}: ${err.message}` : ((err as Error).message ?? String(err));
    process.stderr.write(`bootstrap failed: ${message}\n`);
    return 1;
  } finally {
    await ds?.destroy().catch(() => undefined);
    await pg?.stop();
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
