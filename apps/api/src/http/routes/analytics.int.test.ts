import { randomUUID } from 'node:crypto';
import { runAggregation } from '@sightline/core';
import { createTestApiKey, createTestApp, createTestOrg } from '@sightline/core/testing';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

// The seed's analytics endpoints over real rollups: the overview with its comparison to
// the previous range, the event series, the Redis cache and its invalidation, bad input.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let org: Awaited<ReturnType<typeof createTestOrg>>;
let appId: number;
let readKey: string;
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function write(days: number[], devices: number, type = 'app_start') {
  await createEventWriter(deps.pool).write(
    days.flatMap((day) =>
      Array.from({ length: devices }, (_, d) => ({
        orgId: org.org.id,
        appId,
        id: randomUUID(),
        occurredAt: day + 3_600_000 + d,
        receivedAt: Date.now(),
        type,
        deviceId: `device-${d}`,
      })),
    ),
  );
  await runAggregation(deps.pool);
}

async function get<T>(url: string, key = readKey) {
  const res = await api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: res.json<T>() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  org = await createTestOrg(deps.prisma);
  appId = (await createTestApp(deps.prisma, org.org.id, { bundleId: 'com.example.stats' })).app.id;
  readKey = (await createTestApiKey(deps.prisma, org.org.id, ['read'])).secret;
  // The previous week: 2 devices a day; this week: 4 devices a day.
  await write(
    [7, 8, 9, 10, 11, 12, 13].map((d) => today - d * DAY),
    2,
  );
  await write(
    [0, 1, 2, 3, 4, 5, 6].map((d) => today - d * DAY),
    4,
  );
});

afterAll(async () => {
  await api?.close();
  await deps?.close();
  await db?.drop();
});

interface Overview {
  start_date: string;
  end_date: string;
  dau: number;
  users: number;
  events: number;
  crash_free_rate: number | null;
  previous: { start_date: string; dau: number; events: number };
  change_percent: { dau: number | null; events: number | null };
}

describe('GET /v1/apps/:id/analytics/overview', () => {
  it('answers the range and the one before it, with the change in percent', async () => {
    const url = `/v1/apps/${appId}/analytics/overview?start_date=${iso(today - 6 * DAY)}&end_date=${iso(today)}`;
    const { status, body } = await get<Overview>(url);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      start_date: iso(today - 6 * DAY),
      end_date: iso(today),
      dau: 4,
      users: 4,
      events: 28,
      crash_free_rate: 100,
      previous: { start_date: iso(today - 13 * DAY), dau: 2, events: 14 },
      change_percent: { dau: 100, events: 100 },
    });
    // By bundle id too.
    expect((await get<Overview>(`/v1/apps/com.example.stats/analytics/overview`)).body.events).toBe(42);
  });

  it('serves a cached answer until new rollups for the app land', async () => {
    const url = `/v1/apps/${appId}/analytics/overview?start_date=${iso(today)}&end_date=${iso(today)}`;
    expect((await get<Overview>(url)).body.events).toBe(4);
    await write([today], 4, 'screen_view');
    expect((await get<Overview>(url)).body.events).toBe(4);
    await deps.analyticsCache.invalidate([{ orgId: org.org.id, appId }]);
    expect((await get<Overview>(url)).body.events).toBe(8);
  });

  it('refuses bad dates with 400, other orgs with 404 and no key with 401', async () => {
    const farFuture = await get<{ error: { message: string } }>(
      `/v1/apps/${appId}/analytics/overview?start_date=2026-01-01&end_date=9999-12-31`,
    );
    expect(farFuture.status).toBe(400);
    expect(farFuture.body.error.message).toMatch(/end must be between 2000-01-01 and 2100-12-31/);
    const bad = await get<{ error: { message: string } }>(`/v1/apps/${appId}/analytics/overview?start_date=2026-13-01`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/start.*YYYY-MM-DD/);
    const backwards = await get<{ error: { message: string } }>(
      `/v1/apps/${appId}/analytics/overview?start_date=${iso(today)}&end_date=${iso(today - DAY)}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/start must not be after end/);
    const theirs = await createTestOrg(deps.prisma);
    const theirKey = (await createTestApiKey(deps.prisma, theirs.org.id, ['read'])).secret;
    expect((await get(`/v1/apps/${appId}/analytics/overview`, theirKey)).status).toBe(404);
    expect((await get(`/v1/apps/${appId}/analytics/events`, theirKey)).status).toBe(404);
    const res = await api.inject({ method: 'GET', url: `/v1/apps/${appId}/analytics/overview` });
    expect(res.statusCode).toBe(401);
  });
});

describe('GET /v1/apps/:id/analytics/events', () => {
  it('gives every day of the range with counts and unique devices, for one event type or all', async () => {
    const { status, body } = await get<{
      event_type: string | null;
      data: Array<{ date: string; count: number; unique_devices: number }>;
    }>(
      `/v1/apps/${appId}/analytics/events?start_date=${iso(today - 9 * DAY)}&end_date=${iso(today)}&event_type=app_start`,
    );
    expect(status).toBe(200);
    expect(body.event_type).toBe('app_start');
    expect(body.data.map((d) => [d.count, d.unique_devices])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      ...Array.from({ length: 7 }, () => [4, 4]),
    ]);
    const none = await get<{ data: Array<{ count: number }> }>(
      `/v1/apps/${appId}/analytics/events?start_date=${iso(today - 2 * DAY)}&end_date=${iso(today)}&event_type=purchase`,
    );
    expect(none.body.data.map((d) => d.count)).toEqual([0, 0, 0]);
  });
});
