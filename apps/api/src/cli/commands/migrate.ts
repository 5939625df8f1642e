import { applyMigrations, ensureDatabaseExists, migrationStatus } from '@sightline/db/migrations';
import { EXIT, type CommandContext } from '../command.ts';

export async function migrateCommand(ctx: CommandContext): Promise<number | void> {
  if (ctx.flags.status === true) return migrateStatusCommand(ctx);
  const url = ctx.env.DATABASE_URL;
  const created = await ensureDatabaseExists(url);
  if (created) ctx.out.progress(`created database ${new URL(url).pathname.slice(1)}`);
  const result = await applyMigrations(url, { onApply: (name) => ctx.out.progress(`applied ${name}`) });
  ctx.out.result({ applied: result.applied, alreadyApplied: result.alreadyApplied, databaseCreated: created }, [
    result.applied.length > 0
      ? `Applied ${result.applied.length} migration(s); ${result.alreadyApplied} were already applied.`
      : `Database is up to date (${result.alreadyApplied} migrations applied).`,
  ]);
}

/** Changes nothing; exit 3 while migrations are pending, so an upgrade script can wait on it. */
async function migrateStatusCommand(ctx: CommandContext): Promise<number> {
  const status = await migrationStatus(ctx.env.DATABASE_URL);
  const problems = [
    ...status.failed.map((n) => `${n} started but never finished: inspect the database, then mark it rolled back`),
    ...status.edited.map((n) => `${n} was edited after it was applied (checksum differs)`),
    ...status.unknown.map((n) => `${n} is applied here but not part of this release (a newer release ran?)`),
  ];
  ctx.out.result(
    {
      applied: status.applied.map((m) => ({ name: m.name, finishedAt: m.finishedAt.toISOString() })),
      pending: status.pending,
      failed: status.failed,
      edited: status.edited,
      unknown: status.unknown,
      databaseExists: status.databaseExists,
      upToDate: status.pending.length === 0 && problems.length === 0,
    },
    [
      ...(status.databaseExists ? [] : ['The database does not exist yet: `sightline migrate` creates it.']),
      `Applied (${status.applied.length}):`,
      ...status.applied.map((m) => `  ${m.name}  ${m.finishedAt.toISOString()}`),
      `Pending (${status.pending.length}):`,
      ...status.pending.map((n) => `  ${n}`),
      ...problems.map((p) => `Problem: ${p}`),
      status.pending.length > 0
        ? 'Run `npx sightline migrate` to apply the pending migrations.'
        : problems.length > 0
          ? 'No migration is pending, but see the problems above.'
          : 'The database is up to date.',
    ],
  );
  if (status.pending.length > 0) return EXIT.pending;
  return problems.length > 0 ? EXIT.failed : EXIT.ok;
}
