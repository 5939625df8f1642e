import { createTestApiKey, createTestApp, createTestOrg } from '@sightline/core/testing';
import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

// One organization's key must not be able to hold the database pool with raw-event questions.
// The questions are made slow for real: the test holds a lock on the events table, so each
// admitted question waits inside PostgreSQL (visible in pg_stat_activity) until it is let go.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let prisma: PrismaClient;
let api: FastifyInstance;
let locker: pg.Client;
// Its own connection: inside the locker's transaction pg_stat_activity would stay a snapshot.
let watcher: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url, undefined, { analyticsOrgMaxInFlight: 2 });
  // Room for every question in this test, so only the cap decides who runs.
  prisma = createPrismaClient({ connectionString: db.url, max: 8 });
  api = await buildServer({ ...deps, prisma });
  locker = new pg.Client({ connectionString: db.url });
  await locker.connect();
  watcher = new pg.Client({ connectionString: db.url });
  await watcher.connect();
});

afterAll(async () => {
  await locker?.end();
  await watcher?.end();
  await api?.close();
  await prisma?.$disconnect();
  await deps?.close();
  await db?.drop();
});

async function tenant() {
  const { org } = await createTestOrg(deps.prisma);
  const { app } = await createTestApp(deps.prisma, org.id);
  const key = (await createTestApiKey(deps.prisma, org.id, ['read'])).secret;
  // Each call asks a different question, so none is answered from the cache.
  let n = 0;
  return () =>
    api.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      payload: {
        query: `{ analyticsFunnel(appId: "${app.id}", steps: [{ type: "page_view" }, { type: "purchase" }], windowMinutes: ${++n}) { steps { devices } } }`,
      },
    });
}

const waitingOnLock = async () =>
  Number(
    (
      await watcher.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      )
    ).rows[0]!.n,
  );

describe('raw-event questions per organization', () => {
  it('runs at most 2 at once for one org: the third gets 429 + Retry-After while another org still runs', async () => {
    const askA = await tenant();
    const askB = await tenant();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    let released = false;
    try {
      const first = askA();
      const second = askA();
      await expect.poll(waitingOnLock, { timeout: 15_000 }).toBe(2);

      const third = await askA();
      expect(third.statusCode).toBe(429);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      const [refusal] = third.json<{ errors: Array<{ message: string; extensions: { code: string } }> }>().errors;
      expect(refusal?.extensions.code).toBe('RATE_LIMITED');
      expect(refusal?.message).toMatch(/already runs 2/);

      const other = askB();
      await expect.poll(waitingOnLock, { timeout: 15_000 }).toBe(3);
      await locker.query('COMMIT');
      released = true;
      for (const res of await Promise.all([first, second, other])) {
        expect(res.statusCode).toBe(200);
        expect(res.json<{ data: unknown }>().data).toEqual({
          analyticsFunnel: { steps: [{ devices: 0 }, { devices: 0 }] },
        });
      }
      // The slots are free again.
      expect((await askA()).statusCode).toBe(200);
    } finally {
      if (!released) await locker.query('ROLLBACK');
    }
  });
});
