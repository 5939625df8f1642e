import { buildDsn } from '@sightline/core';
import { rollUpSeededApps, seedDemo } from '@sightline/demo';
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
    // The dashboards are populated when this returns, not after the worker's next passes.
    const rollup = await rollUpSeededApps(
      pool,
      result.org.id,
      result.apps.map((a) => a.id),
      (line) => ctx.out.progress(line),
    );
    const seconds = (Date.now() - started) / 1000;
    const apps = result.apps.map((a) => ({ ...a, dsn: buildDsn(ctx.env.PUBLIC_API_URL, a.ingestKey, a.id) }));
    const signInUrl = new URL(
      'sign-in',
      ctx.env.PUBLIC_WEB_URL.endsWith('/') ? ctx.env.PUBLIC_WEB_URL : `${ctx.env.PUBLIC_WEB_URL}/`,
    ).href;
    ctx.out.result({ ...result, apps, rollup, signInUrl, seconds }, [
      `Seeded demo organization ${result.org.name} (${result.org.id}) in ${seconds.toFixed(1)} s`,
      `  sign in:  ${signInUrl}`,
      `  owner:    ${result.owner.email} / ${result.owner.password}`,
      `  api key:  ${result.apiKey}   (read, write)`,
      ...apps.map((a) => `  app ${a.id}: ${a.name} (${a.bundleId}) key ${a.ingestKey}`),
      `  ${result.counts.events} events, ${result.counts.sessions} sessions, ${result.counts.devices} devices, ` +
        `${result.counts.crashReports} crash reports in ${result.counts.crashGroups} groups`,
      `  dashboards are up to date (${rollup.hours} app-hours rolled up)`,
    ]);
  } finally {
    await pool.end();
  }
}
