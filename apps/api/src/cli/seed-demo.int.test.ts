import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { analyticsOverview, type OrgActor } from '@sightline/core';
import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `sightline seed-demo` leaves the dashboards populated when it returns: what it wrote is
// rolled up (no worker runs here), and it says where to sign in, with which credentials.
// Each test starts the CLI (TypeScript loader, then seeding): minutes on a loaded machine.

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/sightline.mjs', import.meta.url));

let db: TestDatabase;
let prisma: PrismaClient;

const seed = (...args: string[]) =>
  run(process.execPath, [BIN, 'seed-demo', ...args], {
    env: { ...process.env, DATABASE_URL: db.url, PUBLIC_WEB_URL: 'https://portal.example.com/' },
  });

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

interface Seeded {
  org: { id: string };
  owner: { email: string; password: string };
  apps: Array<{ id: number; name: string }>;
  counts: { events: number };
  rollup: { hours: number; days: number };
  signInUrl: string;
}

describe('sightline seed-demo', () => {
  it('returns with every hour it wrote rolled up: the overview has its figures at once', async () => {
    const { stdout } = await seed('--events', '3000', '--days', '3', '--json');
    const seeded = JSON.parse(stdout) as Seeded;
    expect(seeded.signInUrl).toBe('https://portal.example.com/sign-in');
    expect(seeded.rollup.hours).toBeGreaterThan(24);
    expect(await prisma.rollupDirtyHour.count({ where: { orgId: seeded.org.id } })).toBe(0);

    const owner = await prisma.membership.findFirstOrThrow({ where: { orgId: seeded.org.id, role: 'OWNER' } });
    const actor: OrgActor = {
      orgId: seeded.org.id,
      role: 'OWNER',
      userId: owner.userId,
      audit: { type: 'USER', id: owner.userId },
    };
    let [events, sessions] = [0, 0];
    for (const app of seeded.apps) {
      const overview = await analyticsOverview(prisma, actor, app.id, {});
      const stored = await prisma.event.count({ where: { orgId: seeded.org.id, appId: app.id } });
      // Every stored event of the app is in its figures, and they are real figures.
      expect(overview.events, app.name).toBe(stored);
      expect(overview.users, app.name).toBeGreaterThan(0);
      expect(overview.pendingHours).toBe(0);
      expect(Date.parse(overview.rolledUpAt!)).toBeGreaterThan(Date.now() - 120_000);
      events += overview.events;
      sessions += overview.sessions;
    }
    expect(events).toBe(seeded.counts.events);
    expect(sessions).toBeGreaterThan(0);
  }, 120_000);

  it('prints the portal sign-in page and the credentials to use there', async () => {
    const { stdout } = await seed('--events', '300', '--days', '1');
    const email = /owner: +(\S+) \/ (\S+)/.exec(stdout);
    expect(stdout).toContain('  sign in:  https://portal.example.com/sign-in\n');
    expect(email?.[1]).toMatch(/^demo\+\w+@sightline\.local$/);
    expect(email?.[2]).toMatch(/^demo-/);
    expect(stdout).toMatch(/dashboards are up to date \(\d+ app-hours rolled up\)/);
  }, 120_000);
});
