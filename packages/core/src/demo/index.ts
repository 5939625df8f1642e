import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import type pg from 'pg';
import { createApiKey, createApp, createOrganization } from '../tenancy/index.ts';
import { BROWSERS, COUNTRIES, DEMO_APPS, LOCALES, MODELS, OPERATING_SYSTEMS, type DemoApp } from './catalog.ts';
import { insertCrashes, insertDevices, insertSessions, type CrashRecord, type DeviceRecord, type SessionRecord } from './inserts.ts';
import { createRandom, type Random } from './random.ts';
import { generateSessionEvents, type DemoDevice } from './session-events.ts';

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

const DAY_MS = 86_400_000;
const BATCH_ROWS = 20_000;
const SESSIONS_PER_ACTIVE_DAY = 1.4;
// Hours of the day weighted like a consumer app: quiet nights, busy evenings.
const HOURS = Array.from({ length: 24 }, (_, h) => [h, h < 6 ? 1 : h < 9 ? 4 : h < 18 ? 7 : h < 22 ? 10 : 4] as const);

interface Lifecycle {
  app: DemoApp;
  appIndex: number;
  device: DemoDevice & { locale: string };
  firstDay: number;
  lastDay: number;
  activity: number;
  updateLag: number;
  lastSeen: number;
}

function makeDevices(random: Random, total: number, days: number, salt: string): Lifecycle[] {
  const devices: Lifecycle[] = [];
  DEMO_APPS.forEach((app, appIndex) => {
    const count = Math.max(1, Math.round(total * app.share));
    for (let i = 0; i < count; i++) {
      // Hashed like the SDK does it: SHA-256 of the raw id, a salt and the app.
      const hash = createHash('sha256').update(`demo-device-${appIndex}-${i}`).update(salt).update(app.bundleId).digest('hex');
      const [os, osVersion] = random.weighted(OPERATING_SYSTEMS[app.platform]);
      const country = random.weighted(COUNTRIES);
      const firstDay = Math.floor(days * random.next() ** 1.6);
      devices.push({
        app,
        appIndex,
        device: {
          hash,
          os,
          osVersion,
          browser: app.platform === 'WEB' ? random.weighted(BROWSERS) : null,
          model: app.platform === 'LUA' ? random.pick(MODELS) : null,
          country,
          locale: LOCALES[country] ?? 'en-US',
        },
        firstDay,
        // Most devices churn within weeks; a loyal few stay: retention curves need both.
        lastDay: firstDay + Math.round(random.logNormal(12, 1.1)),
        activity: random.weighted([[0.7, 12], [0.3, 33], [0.08, 55]]),
        updateLag: random.int(0, 10),
        lastSeen: 0,
      });
    }
  });
  return devices;
}

function versionOn(app: DemoApp, day: number, days: number, lag: number): { version: string; index: number } {
  // Version i ships on day i·days/n; a device picks it up `lag` days later.
  const index = Math.max(0, Math.min(app.versions.length - 1, Math.floor(((day - lag) * app.versions.length) / days)));
  return { version: app.versions[index] ?? '1.0.0', index };
}

export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoResult> {
  const { prisma, pool, days, onProgress } = options;
  if (days < 1) throw new RangeError('days must be at least 1');
  const now = (options.now ?? new Date()).getTime();
  const random = createRandom(options.events * 31 + days * 7 + options.devices);
  const password = `demo-${randomBytes(6).toString('hex')}`;
  const email = `demo+${randomBytes(4).toString('hex')}@sightline.local`;

  const { org } = await createOrganization(prisma, { name: 'Demo Co', ownerEmail: email, ownerPassword: password });
  const apiKey = await createApiKey(prisma, org.id, { name: 'demo', scopes: ['read', 'write'] });
  const apps: SeedDemoResult['apps'] = [];
  for (const app of DEMO_APPS) {
    const created = await createApp(prisma, org.id, { name: app.name, bundleId: app.bundleId, platform: app.platform });
    apps.push({ ...created.app, ingestKey: created.ingestKey });
  }

  const devices = makeDevices(random, Math.max(options.devices, DEMO_APPS.length), days, org.id);
  const expectedSessions = devices.reduce(
    (sum, d) => sum + d.activity * (Math.min(d.lastDay, days - 1) - d.firstDay + 1) * SESSIONS_PER_ACTIVE_DAY,
    0,
  );
  const meanSessionSize = Math.max(4, options.events / Math.max(1, expectedSessions));

  const writer = createEventWriter(pool);
  const started = Date.now();
  let buffer: EventRow[] = [];
  let written = 0;
  let nextReport = options.events / 10;
  const sessions: SessionRecord[] = [];
  const crashes: CrashRecord[] = [];

  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const rows = buffer;
    buffer = [];
    await writer.write(rows);
    written += rows.length;
    if (written >= nextReport) {
      const rate = written / ((Date.now() - started) / 1000);
      onProgress?.(`events ${written.toLocaleString('en-US')} / ~${options.events.toLocaleString('en-US')} (${Math.round(rate / 1000)}k/s)`);
      nextReport += options.events / 10;
    }
    if (sessions.length >= BATCH_ROWS) await insertSessions(pool, sessions.splice(0));
  };

  for (let day = 0; day < days; day++) {
    const dayStart = now - (days - day) * DAY_MS;
    const weekend = [0, 6].includes(new Date(dayStart).getUTCDay());
    for (const life of devices) {
      if (day < life.firstDay || day > life.lastDay) continue;
      if (!random.chance(life.activity * (weekend ? 0.8 : 1))) continue;
      const count = random.chance(SESSIONS_PER_ACTIVE_DAY - 1) ? 2 : 1;
      for (let s = 0; s < count; s++) {
        const { version, index } = versionOn(life.app, day, days, life.updateLag);
        // Sessions end before `now`: nothing in the demo lies in the future.
        const start = Math.min(dayStart + random.weighted(HOURS) * 3_600_000 + random.int(0, 3_599_999), now - 3 * 3_600_000 - random.int(0, 3_600_000));
        const sessionId = randomUUID();
        const appId = apps[life.appIndex]!.id;
        const first = buffer.length;
        const ctx = { orgId: org.id, appId, app: life.app, device: life.device, sessionId, version, start, size: Math.max(3, Math.round(random.logNormal(meanSessionSize, 0.5))) };
        let end = generateSessionEvents(ctx, random, buffer);
        let crashed = false;
        for (const kind of life.app.crashes) {
          if (index < kind.sinceVersion || !random.chance(kind.rate * Math.sqrt(ctx.size))) continue;
          end += random.int(500, 20_000);
          crashed = true;
          crashes.push({ appId, kind, kindIndex: life.app.crashes.indexOf(kind), deviceId: life.device.hash, sessionId, version, at: end, device: life.device });
          const fatalEvent = life.app.platform === 'LUA' && kind.type === 'lua_error' ? 'lua_error' : 'app_crash';
          buffer.push({ ...buffer[first]!, id: randomUUID(), occurredAt: end, receivedAt: end + 800, type: fatalEvent, name: kind.type, value: null, data: { crash_type: kind.type, message: kind.message } });
          break;
        }
        const names = buffer.slice(first).flatMap((e) => (e.type === 'page_view' || e.type === 'screen_view' ? [e.name ?? ''] : []));
        sessions.push({ orgId: org.id, appId, id: sessionId, deviceId: life.device.hash, version, device: life.device, start, end, events: buffer.length - first, screens: names.length, entry: names[0] ?? null, exit: names.at(-1) ?? null, crashed });
        life.lastSeen = Math.max(life.lastSeen, end);
        if (buffer.length >= BATCH_ROWS) await flush();
      }
    }
  }
  await flush();
  await insertSessions(pool, sessions.splice(0));

  const active: DeviceRecord[] = devices
    .filter((d) => d.lastSeen > 0)
    .map((d) => ({ orgId: org.id, appId: apps[d.appIndex]!.id, device: d.device, version: versionOn(d.app, days, days, d.updateLag).version, firstSeen: now - (days - d.firstDay) * DAY_MS, lastSeen: d.lastSeen }));
  await insertDevices(pool, active);
  const crashGroups = await insertCrashes(pool, org.id, crashes, now);
  const sessionCount = await pool.query<{ n: string }>('SELECT count(*) AS n FROM sessions WHERE org_id = $1', [org.id]);
  onProgress?.(`done: ${written.toLocaleString('en-US')} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    org,
    owner: { email, password },
    apiKey: apiKey.secret,
    apps,
    counts: { events: written, sessions: Number(sessionCount.rows[0]?.n ?? 0), devices: active.length, crashReports: crashes.length, crashGroups },
  };
}
