// Who uses the demo apps and when they join, leave and update. Retention and version
// charts are only meaningful if devices differ: a few loyal daily users, many occasional
// ones, installs spread over the window, churn, and people who update late.
import { createHash } from 'node:crypto';
import { DEMO_APPS, type DemoApp } from './catalog.ts';
import { COUNTRIES, HARDWARE } from './device-catalog.ts';
import type { Random } from './random.ts';

export const DAY_MS = 86_400_000;

export interface DemoDevice {
  appIndex: number;
  app: DemoApp;
  /** SHA-256 of a raw device id and the app's salt, as the SDK sends it. */
  hash: string;
  os: string;
  osVersion: string;
  browser: string | null;
  model: string | null;
  country: string;
  locale: string;
  utcOffsetMs: number;
  latency: number;
  /** Hardware slowness: low-end phones start and render slower. */
  slowness: number;
  /** Chance of using the app on a day it is installed. */
  activity: number;
  /** -Infinity for devices that had the app before the window opened. */
  installAt: number;
  churnAt: number;
  updateLagMs: number;
  // Filled in while sessions are generated.
  firstSeen: number;
  lastSeen: number;
  lastVersion: string | null;
}

// Activity tiers (chance of a session on a given day) and their share of users.
const TIERS: ReadonlyArray<readonly [number, number]> = [
  [0.85, 10],
  [0.35, 30],
  [0.07, 60],
];
const EXISTING_SHARE = 0.35;

export function devicesPerApp(total: number): number[] {
  return DEMO_APPS.map((app) => Math.max(app.platform === 'NODE' ? 2 : 1, Math.round(total * app.deviceShare)));
}

export function createDevices(random: Random, total: number, windowStart: number, days: number): DemoDevice[] {
  const devices: DemoDevice[] = [];
  const windowMs = days * DAY_MS;
  devicesPerApp(total).forEach((count, appIndex) => {
    const app = DEMO_APPS[appIndex] as DemoApp;
    const server = app.platform === 'NODE';
    for (let i = 0; i < count; i++) {
      const raw = server ? `api-${i}-${random.hex()}` : random.hex();
      const hash = createHash('sha256').update(`${raw}mosis_salt_${app.bundleId}`).digest('hex');
      const hardware = random.weighted(HARDWARE[app.platform]);
      const [model, slowness] = hardware.models ? random.weighted(hardware.models) : [null, 1];
      const country = server ? { code: 'US', utcOffset: 0, locale: 'en-US', latency: 1 } : random.weighted(COUNTRIES);
      const existing = server || random.chance(EXISTING_SHARE);
      const installAt = existing ? -Infinity : windowStart + random.next() * windowMs;
      // Users who stayed until the window opened are the sticky ones; new installs churn fast.
      const loyal = server || random.chance(existing ? 0.4 : 0.15);
      const lifetime = existing ? random.exponential(20 * DAY_MS) : random.logNormal(6 * DAY_MS, 1);
      const laggard = random.chance(0.1) ? 6 : 1;
      devices.push({
        appIndex,
        app,
        hash,
        os: hardware.os,
        osVersion: hardware.osVersion,
        browser: hardware.browsers ? random.weighted(hardware.browsers) : null,
        model,
        country: country.code,
        locale: country.locale,
        utcOffsetMs: country.utcOffset * 3_600_000,
        latency: country.latency,
        slowness,
        activity: server ? 1 : random.weighted(TIERS),
        installAt,
        churnAt: loyal ? Infinity : Math.max(installAt, windowStart) + lifetime,
        updateLagMs: random.exponential(app.updateLagDays * DAY_MS) * laggard,
        firstSeen: 0,
        lastSeen: 0,
        lastVersion: null,
      });
    }
  });
  return devices;
}

/**
 * When each version of an app shipped: the first before the window opened, the rest spread
 * over it with the newest well before `now`, so old versions fade while new ones ramp up.
 */
export function releaseTimes(app: DemoApp, windowStart: number, days: number): number[] {
  const n = app.versions.length;
  return app.versions.map((_, i) =>
    i === 0 ? -Infinity : windowStart + days * DAY_MS * 0.85 * ((i - 0.4) / Math.max(1, n - 1)),
  );
}

/** The version a device runs at `time`: the newest it has picked up after its update lag. */
export function versionIndexAt(releases: readonly number[], device: DemoDevice, time: number): number {
  // A fresh install gets whatever is current on the day it installs.
  const installedAt = Number.isFinite(device.installAt) ? device.installAt : -Infinity;
  let index = 0;
  for (let i = 1; i < releases.length; i++) {
    const release = releases[i] as number;
    if (release <= installedAt || release + device.updateLagMs <= time) index = i;
  }
  return index;
}
