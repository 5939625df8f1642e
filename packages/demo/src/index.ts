// `sightline seed-demo`: a demo organization with a shop, an API and a Lua app, filled with
// realistic synthetic telemetry for dashboards and benchmarks. Everything is streamed in
// batches, so ten million events take a bounded amount of memory.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import type pg from 'pg';
import { createApiKey, createApp, createOrganization } from '@sightline/core';
import { DEMO_APPS } from './catalog.ts';
import { createCrashGroups, finishCrashGroups } from './crashes.ts';
import { generateTelemetry, MIN_EVENTS, type AppPlan } from './generate.ts';
import { insertDevices } from './inserts.ts';
import { createDevices, DAY_MS, releaseTimes } from './population.ts';
import { createRandom, seedFrom } from './random.ts';
import { countSessions, estimateRates, type ScheduleWindow } from './schedule.ts';
import { format, Progress } from './write-queue.ts';

export interface SeedDemoOptions {
  prisma: PrismaClient;
  pool: pg.Pool;
  /** Approximate number of raw events to write. */
  events: number;
  days: number;
  devices: number;
  now?: Date;
  onProgress?: (line: string) => void;
}

export interface SeedDemoResult {
  org: { id: string; name: string; slug: string };
  owner: { email: string; password: string };
  apiKey: string;
  apps: Array<{ id: number; name: string; bundleId: string; platform: string; ingestKey: string }>;
  counts: { events: number; sessions: number; devices: number; crashReports: number; crashGroups: number };
}

const MAX_SESSION_EVENTS = 5_000;

export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoResult> {
  const { prisma, pool, onProgress } = options;
  if (!Number.isInteger(options.days) || options.days < 1)
    throw new RangeError('days must be a whole number of at least 1');
  if (!Number.isFinite(options.events) || options.events < 0) throw new RangeError('events must not be negative');
  const days = options.days;
  const events = Math.round(options.events);
  const deviceTotal = Math.max(1, Math.round(options.devices));
  const now = (options.now ?? new Date()).getTime();
  const window: ScheduleWindow = { start: now - days * DAY_MS, end: now };

  // Three streams from one seed: the schedule is replayed, so it must not share draws.
  const seed = seedFrom(`${events}/${days}/${deviceTotal}/${now}`);
  const population = createRandom(seed);
  const scheduleSeed = seed ^ 0x5eed5eed;
  const random = createRandom(seed ^ 0x0ddba11);

  // Credentials are the one thing that must not be reproducible.
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  const email = `demo+${randomBytes(5).toString('hex')}@sightline.local`;
  const { org } = await createOrganization(prisma, { name: 'Demo Co', ownerEmail: email, ownerPassword: password });
  const apiKey = await createApiKey(prisma, org.id, { name: 'Demo read/write key', scopes: ['read', 'write'] });
  const apps: SeedDemoResult['apps'] = [];
  for (const app of DEMO_APPS) {
    const created = await createApp(prisma, org.id, {
      name: app.name,
      bundleId: app.bundleId,
      platform: app.platform,
      allowedOrigins: app.allowedOrigins,
    });
    const { id, name, bundleId, platform } = created.app;
    apps.push({ id, name, bundleId, platform, ingestKey: created.ingestKey });
  }
  const appIds = apps.map((a) => a.id);

  const devices = createDevices(population, deviceTotal, window.start, days);
  const rates = estimateRates(devices, window, events);
  const planned = countSessions(devices, window, rates, createRandom(scheduleSeed));
  const plans: AppPlan[] = DEMO_APPS.map((app, i) => ({
    app,
    id: appIds[i] as number,
    releases: releaseTimes(app, window.start, days),
    sessionSize: Math.min(
      MAX_SESSION_EVENTS,
      Math.max(MIN_EVENTS[app.platform], (events * app.eventShare) / Math.max(1, planned[i] ?? 0)),
    ),
  }));
  onProgress?.(
    `${org.name} (${org.slug}): ${format(devices.length)} devices, ${format(planned.reduce((a, b) => a + b, 0))} sessions over ${days} days`,
  );

  const crashGroups = await createCrashGroups(pool, org.id, plans, now);
  const progress = new Progress(events, onProgress);
  const generated = await generateTelemetry({
    pool,
    orgId: org.id,
    apps: plans,
    devices,
    window,
    rates,
    schedule: createRandom(scheduleSeed),
    random,
    crashGroups,
    progress,
  });

  await insertDevices(pool, org.id, appIds, devices);
  const crashGroupCount = await finishCrashGroups(pool, org.id);
  onProgress?.(
    `done: ${format(progress.events)} events in ${progress.seconds().toFixed(1)} s (${format(Math.round(progress.rate()))}/s)`,
  );

  return {
    org,
    owner: { email, password },
    apiKey: apiKey.secret,
    apps,
    counts: {
      events: progress.events,
      sessions: generated.sessions,
      devices: devices.filter((d) => d.lastSeen > 0).length,
      crashReports: generated.crashReports,
      crashGroups: crashGroupCount,
    },
  };
}

export { rollUpSeededApps } from './roll-up.ts';
/** Realistic crash traces per runtime, for benchmarks and tests. */
export { DEMO_APPS, type DemoApp } from './catalog.ts';
export { messageFor, renderStack, stackStyle } from './crash-traces.ts';
