#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { auditVerify } from './audit-command';
import { EXIT, intArg, projectIdArg, runCommand, uuidArg } from './cli-run';
import { doctor } from './doctor';
import { creditsGrant, keysCreate, keysRevoke, migrate, orgsCreate } from './org-commands';

/**
 * `npm run -s ops -- <command>` (bin `gateway-ops`): the operator's CLI. Each command prints one JSON document on
 * stdout (a created key or password appears there once, nowhere else) and diagnostics on stderr; exit 0 ok, 1 the
 * operation failed (or a check, or a broken chain), 2 bad arguments. The database is DATABASE_URL, else the running
 * embedded gateway's (DATA_DIR/runtime.json), else the embedded cluster under DATA_DIR, started for the command.
 */
function program(run: (p: Promise<number>) => void): Command {
  const root = new Command('ops').description('policy gateway operations').exitOverride().showHelpAfterError();
  const orgs = root.command('orgs').description('organisations');
  orgs
    .command('create')
    .requiredOption('--org <name>', 'organisation name')
    .requiredOption('--email <email>', "the owner's email")
    .option('--password <pw>', "the owner's password (generated when omitted)")
    .option('--credits <n>', 'starting credits (0 allowed)')
    .option('--if-empty', 'do nothing when an organisation exists')
    .action((o: { org: string; email: string; password?: string; credits?: string; ifEmpty?: boolean }) => run(runCommand((ctx) => orgsCreate(ctx, o))));
  const keys = root.command('keys').description('API keys');
  keys
    .command('create')
    .requiredOption('--org-id <uuid>', 'organisation')
    .option('--email <email>', "the key's user (default: the organisation's first owner)")
    .option('--project-id <proj_…>', "a project key instead (the project's policy and quotas apply)")
    .option('--label <text>', 'label', 'ops-cli')
    .action((o: { orgId: string; email?: string; projectId?: string; label: string }) =>
      run(runCommand((ctx) => keysCreate(ctx, { ...o, orgId: uuidArg('org-id', o.orgId), projectId: o.projectId === undefined ? undefined : projectIdArg(o.projectId) }))),
    );
  keys
    .command('revoke')
    .requiredOption('--key-id <uuid>', 'the key to revoke')
    .action((o: { keyId: string }) => run(runCommand((ctx) => keysRevoke(ctx, uuidArg('key-id', o.keyId)))));
  root
    .command('credits')
    .description('credits')
    .command('grant')
    .requiredOption('--org-id <uuid>', 'organisation')
    .requiredOption('--credits <n>', 'credits to add (>= 1)')
    .action((o: { orgId: string; credits: string }) => run(runCommand((ctx) => creditsGrant(ctx, { orgId: uuidArg('org-id', o.orgId), credits: intArg('credits', o.credits, 1) }))));
  root
    .command('migrate')
    .description('apply pending database migrations')
    .action(() => run(runCommand((ctx) => migrate(ctx))));
  root
    .command('audit')
    .description('audit trail')
    .command('verify')
    .requiredOption('--org-id <uuid>', 'organisation')
    .action((o: { orgId: string }) => run(runCommand((ctx) => auditVerify(ctx, uuidArg('org-id', o.orgId)))));
  root
    .command('doctor')
    .description('check configuration, database, Redis, models and clock skew')
    .action(() =>
      run(
        doctor().then((r) => {
          process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
          for (const c of r.checks.filter((x) => !x.ok)) process.stderr.write(`${c.name}: ${c.detail}${c.fix ? `\n  fix: ${c.fix}` : ''}\n`);
          return r.ok ? EXIT.ok : EXIT.failed;
        }),
      ),
    );
  return root;
}

function main(argv: string[]): void {
  const finish = (code: number) => process.exit(code);
  let ran = false;
  const run = (p: Promise<number>) => {
    ran = true;
    void p.then(finish, () => finish(EXIT.failed));
  };
  try {
    program(run).parse(argv);
    if (!ran) finish(EXIT.usage);
  } catch (err) {
    if (err instanceof CommanderError) finish(err.exitCode === 0 ? EXIT.ok : EXIT.usage); // help and version exit 0
    process.stderr.write(`error: ${(err as Error).message}\n`);
    finish(EXIT.usage);
  }
}

main(process.argv);
