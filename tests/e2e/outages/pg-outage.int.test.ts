import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createCredentialResolver, registerDevice, rotateIngestKey } from '@sightline/core';
import { createTestApiKey, createTestApp, createTestOrg, freePort, startTcpProxy, until } from '@sightline/core/testing';
import { createPrismaClient } from '@sightline/db';
import { createTestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../support/ingest-stack.ts';

// Issue 15, "Long outages": the api and the worker reach PostgreSQL through a TCP proxy that
// the test cuts (connections closed, new ones refused) for longer than every cache lifetime
// the api has. Keys used before the outage keep getting their 202 throughout — also from an
// api process started during the outage — and everything acknowledged is stored exactly once
// afterwards. The "10 minutes" is one command:
//   FAULT_PG_DOWN_SECONDS=600 npx vitest run tests/e2e/outages/pg-outage.int.test.ts

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'pg-outage-secret-0123456789abcdef0123456789';
const API_DIR = fileURLToPath(new URL('../../../apps/api', import.meta.url));
// Every lifetime the api is given, scaled down so that the outage outlasts them several times.
const LIFETIMES = { CREDENTIAL_CACHE_SECONDS: '2', CREDENTIAL_MEMO_MS: '1000', APP_SETTINGS_CACHE_MS: '1000' };
const LONGEST_LIFETIME_MS = 2000;
const DOWN_MS = Number(process.env.FAULT_PG_DOWN_SECONDS ?? '12') * 1000;

function spawnApi(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: API_DIR,
    env: { ...process.env, LOG_LEVEL: 'error', HOST: '127.0.0.1', ...env },
    stdio: 'ignore',
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Sender {
  name: string;
  key: string;
  /** A secret key names the app in the body. */
  appRef?: number;
}

/** What the api acknowledged: event ids, crash report ids, Sentry event ids. */
const acked = { events: new Set<string>(), crashes: new Set<string>(), sentry: new Set<string>() };

async function post(base: string, path: string, key: string | undefined, body: unknown) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as unknown };
}

/** One batch of events and one crash report from a sender; the statuses the api answered. */
async function sendRound(base: string, sender: Sender): Promise<number[]> {
  const ids = Array.from({ length: 5 }, () => randomUUID());
  const events = await post(base, '/v1/telemetry/events', sender.key, {
    ...(sender.appRef !== undefined ? { app_id: sender.appRef } : {}),
    device_id: `dev-${sender.name}`,
    events: ids.map((id, i) => ({ id, type: 'screen_view', timestamp: Date.now() - i, data: { screen_name: 'home' } })),
  });
  if (events.status === 202) for (const id of ids) acked.events.add(id);
  const crash = await post(base, '/v1/telemetry/crash', sender.key, {
    ...(sender.appRef !== undefined ? { app_id: sender.appRef } : {}),
    id: randomUUID(),
    device_id: `dev-${sender.name}`,
    crash: { type: 'OutageError', message: `from ${sender.name}`, stack_trace: 'OutageError\n    at run (app.js:1:1)' },
  });
  if (crash.status === 202) acked.crashes.add((crash.body as { id: string }).id);
  return [events.status, crash.status];
}

/** The same app's pk_ key as a Sentry SDK sends it (the /store/ route). */
async function sendSentry(base: string, appId: number, key: string): Promise<number> {
  const eventId = randomUUID().replaceAll('-', '');
  const res = await post(base, `/api/${appId}/store/?sentry_key=${key}`, undefined, {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: 'javascript',
    level: 'error',
    exception: { values: [{ type: 'TypeError', value: 'outage' }] },
  });
  if (res.status === 200) acked.sentry.add(eventId);
  return res.status;
}

describe('PostgreSQL unreachable for longer than every cache lifetime', () => {
  it('keeps acknowledging known keys, refuses unknown and revoked ones, and stores everything once', async () => {
    expect(DOWN_MS).toBeGreaterThanOrEqual(4 * LONGEST_LIFETIME_MS);
    const db = await createTestDatabase();
    const target = new URL(db.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    // The portal (or an api in another zone) that still reaches PostgreSQL.
    const prisma = createPrismaClient({ connectionString: db.url, max: 2 });
    const redis = new Redis(REDIS_URL);
    const namespace = `test-outage-${Math.random().toString(36).slice(2)}`;
    const portal = createCredentialResolver({ prisma, cache: redis, secret: SECRET, namespace });
    const env = {
      DATABASE_URL: proxy.via(db.url),
      REDIS_URL,
      REDIS_PREFIX: namespace,
      SIGHTLINE_SECRET: SECRET,
      ...LIFETIMES,
    };
    const children: ChildProcess[] = [];
    const startApi = async () => {
      const port = await freePort();
      const child = spawnApi({ ...env, PORT: String(port) });
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      await until(() => fetch(`${base}/healthz`).then((r) => (r.ok ? true : undefined), () => undefined), 60);
      return { child, base };
    };
    try {
      const org = await createTestOrg(prisma);
      const app = await createTestApp(prisma, org.org.id);
      const doomedApp = await createTestApp(prisma, org.org.id);
      const unseenApp = await createTestApp(prisma, org.org.id);
      const secret = await createTestApiKey(prisma, org.org.id, ['ingest']);
      const device = await registerDevice(
        prisma,
        (await portal.resolve(app.ingestKey))!,
        { app_id: app.app.id, device_id: 'phone-1' },
        SECRET,
      );
      const known: Sender[] = [
        { name: 'pk', key: app.ingestKey },
        { name: 'sk', key: secret.secret, appRef: app.app.id },
        { name: 'dt', key: device.token },
      ];
      const doomed: Sender = { name: 'doomed', key: doomedApp.ingestKey };

      let api = await startApi();
      children.push(spawnWorker({ ...env, WRITER_BATCH_ENTRIES: '50', WRITER_CLAIM_IDLE_MS: '1000' }));
      for (const sender of [...known, doomed]) expect(await sendRound(api.base, sender)).toEqual([202, 202]);
      expect(await sendSentry(api.base, app.app.id, app.ingestKey)).toBe(200);
      // The worker is up and writing (it needs PostgreSQL to start) before the outage begins.
      await until(async () => {
        const stored = await prisma.crashReport.count();
        return stored === acked.crashes.size + acked.sentry.size ? true : undefined;
      }, 60);

      await proxy.cut();
      const cutAt = Date.now();
      const statuses = new Map<string, Set<number>>();
      const record = (name: string, ...seen: number[]) => {
        const set = statuses.get(name) ?? new Set<number>();
        for (const s of seen) set.add(s);
        statuses.set(name, set);
      };
      const round = async () => {
        for (const sender of known) record(sender.name, ...(await sendRound(api.base, sender)));
        record('sentry', await sendSentry(api.base, app.app.id, app.ingestKey));
        await new Promise((r) => setTimeout(r, 100));
      };

      // The first api outlives its caches, then is replaced by one that starts during the outage.
      while (Date.now() - cutAt < DOWN_MS * 0.4) await round();
      await stopProcess(api.child);
      api = await startApi();
      // A key never used before, and one that never existed: nothing can tell, so 503, not 401.
      for (const key of [unseenApp.ingestKey, 'pk_neverIssued0123456789']) {
        const res = await post(api.base, '/v1/telemetry/events', key, {
          device_id: 'x',
          events: [{ type: 'screen_view', timestamp: Date.now(), data: {} }],
        });
        expect(res).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) as unknown });
      }
      // The doomed key still works until it is rotated away (from the portal) during the outage...
      expect(await sendRound(api.base, doomed)).toEqual([202, 202]);
      await rotateIngestKey(prisma, portal, org.org.id, doomedApp.app.id, { type: 'SYSTEM' });
      // ...then it is refused as soon as the api has seen the invalidation, and stays refused.
      await until(async () => ((await sendRound(api.base, doomed))[0] === 202 ? undefined : true), 5);
      // The new api too must outlive every cache lifetime, however long it took to start.
      const holdUntil = Math.max(cutAt + DOWN_MS, Date.now() + 2 * LONGEST_LIFETIME_MS);
      do {
        await round();
        record('doomed', ...(await sendRound(api.base, doomed)));
      } while (Date.now() < holdUntil);
      const downFor = Date.now() - cutAt;
      await proxy.restore();

      expect(downFor).toBeGreaterThanOrEqual(DOWN_MS);
      for (const sender of known) expect([sender.name, [...statuses.get(sender.name)!]]).toEqual([sender.name, [202]]);
      expect([...statuses.get('sentry')!]).toEqual([200]);
      expect([...statuses.get('doomed')!]).toEqual([503]);
      await until(async () => ((await sendRound(api.base, doomed))[0] === 401 ? true : undefined), 15);
      for (const sender of known) expect(await sendRound(api.base, sender)).toEqual([202, 202]);

      // Everything acknowledged, stored exactly once.
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      try {
        const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0]!.n;
        const total = acked.events.size + acked.crashes.size + acked.sentry.size;
        await until(async () => {
          const n =
            (await count('SELECT count(*)::int AS n FROM events')) +
            (await count('SELECT count(*)::int AS n FROM crash_reports'));
          return n >= total ? n : undefined;
        }, 90);
        const events = await pool.query<{ id: string; n: number }>('SELECT id, count(*)::int AS n FROM events GROUP BY id');
        expect(events.rows.length).toBe(acked.events.size);
        expect(events.rows.every((r) => r.n === 1 && acked.events.has(r.id))).toBe(true);
        const crashes = await pool.query<{ id: string; sentry: string | null }>(
          "SELECT id, context->'sentry'->>'event_id' AS sentry FROM crash_reports",
        );
        expect(crashes.rows.filter((r) => r.sentry === null).map((r) => r.id).sort()).toEqual([...acked.crashes].sort());
        expect(crashes.rows.flatMap((r) => (r.sentry ? [r.sentry] : [])).sort()).toEqual([...acked.sentry].sort());
      } finally {
        await pool.end();
      }
    } finally {
      await Promise.all(children.map(stopProcess));
      await proxy.close();
      redis.disconnect();
      await prisma.$disconnect();
      await db.drop();
    }
  }, 180_000 + 3 * DOWN_MS);
});
