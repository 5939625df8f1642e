import { applyMigrations, ensureDatabaseExists } from '@sightline/db/migrations';
import type { CommandContext } from '../main.ts';

export async function migrateCommand(ctx: CommandContext): Promise<void> {
  const url = ctx.env.DATABASE_URL;
  const created = await ensureDatabaseExists(url);
  if (created) ctx.out.progress(`created database ${new URL(url).pathname.slice(1)}`);
  const result = await applyMigrations(url, { onApply: (name) => ctx.out.progress(`applied ${name}`) });
  ctx.out.result(
    { applied: result.applied, alreadyApplied: result.alreadyApplied, databaseCreated: created },
    [
      result.applied.length > 0
        ? `Applied ${result.applied.length} migration(s); ${result.alreadyApplied} were already applied.`
        : `Database is up to date (${result.alreadyApplied} migrations applied).`,
    ],
  );
}
