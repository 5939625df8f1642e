import { buildDsn } from '@sightline/core';
import { seedDemo } from '@sightline/core/demo';
import { createPool } from '@sightline/db';
import type { CommandContext } from '../command.ts';
import { intFlag } from './flags.ts';
import { withPrisma } from './with-prisma.ts';

export async function seedDemoCommand(ctx: CommandContext): Promise<void> {
  const events = intFlag(ctx, 'events', 200_000);
  const days = intFlag(ctx, 'days', 30);
  const devices = intFlag(ctx, 'devices', Math.max(50, Math.min(20_000, Math.round(events / 60))));
  const pool = createPool({ connectionString: ctx.env.DATABASE_URL, max: 4 });
  try {
    const started = Date.now();
    const result = await withPrisma(ctx, (prisma) =>
      seedDemo({ prisma, pool, events, days, devices, onProgress: (line) => ctx.out.progress(line) }),
    );
    const seconds = (Date.now() - started) / 1000;
    const apps = result.apps.map((a) => ({ ...a, dsn: buildDsn(ctx.env.PUBLIC_API_URL, a.ingestKey, a.id) }));
    ctx.out.result(
      { ...result, apps, seconds },
      [
        `Seeded demo organization ${result.org.name} (${result.org.id}) in ${seconds.toFixed(1)} s`,
        `  owner:    ${result.owner.email} / ${result.owner.password}`,
        `  api key:  ${result.apiKey}   (read, write)`,
        ...apps.map((a) => `  app ${a.id}: ${a.name} (${a.bundleId}) key ${a.ingestKey}`),
        `  ${result.counts.events} events, ${result.counts.sessions} sessions, ${result.counts.devices} devices, ` +
          `${result.counts.crashReports} crash reports in ${result.counts.crashGroups} groups`,
      ],
    );
  } finally {
    await pool.end();
  }
}
