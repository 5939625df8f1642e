import { buildServer } from '@sightline/api';
import { createTestServerDeps, portalSessionCookie } from '@sightline/api/testing';
import { createTestApiKey, createTestOrg, until } from '@sightline/core/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// Dashboards without waiting for the scheduled rollup: events the api accepted and the
// writers stored — no aggregator running at all — are in the overview read through tRPC and
// REST, which says when the figures were rolled up and that the current hour is still
// counting. A busy app's pending hours are left to the aggregator, and the read says so.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let readKey: string;
let cookie: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  // Every read looks at the app's pending hours (no 5 s pause between looks).
  stack = await startIngestStack('com.example.fresh', { freshRollups: { minIntervalMs: 0 } });
  readKey = (await createTestApiKey(stack.deps.prisma, stack.org.org.id, ['read'])).secret;
  cookie = await portalSessionCookie(stack.deps.secret, stack.org.owner.id, { sessionVersion: 0 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** Page views from `devices` devices, now, through the api as an SDK sends them. */
async function ingest(devices: string[], path: string): Promise<void> {
  for (const device of devices) {
    const res = await stack.api.inject({
      method: 'POST',
      url: '/v1/telemetry/events',
      headers: { authorization: `Bearer ${stack.app.ingestKey}`, 'content-type': 'application/json' },
      payload: { device_id: device, events: [{ type: 'page_view', timestamp: Date.now(), data: { path } }] },
    });
    expect(res.statusCode).toBe(202);
  }
}

const stored = (total: number) =>
  until(async () =>
    (await stack.deps.prisma.event.count({ where: { appId: stack.app.app.id } })) === total ? true : undefined,
  );

interface TrpcOverview {
  events: number;
  users: number;
  rolledUpAt: string | null;
  pendingHours: number;
  currentHourPartial: boolean;
}

async function trpcOverview(api: FastifyInstance = stack.api, appId = stack.app.app.id, orgId = stack.org.org.id) {
  const input = encodeURIComponent(JSON.stringify({ json: { orgId, appId, query: {} } }));
  const res = await api.inject({ method: 'GET', url: `/trpc/analytics.overview?input=${input}`, headers: { cookie } });
  return {
    status: res.statusCode,
    overview: res.json<{ result: { data: { json: TrpcOverview } } }>().result?.data.json,
  };
}

async function restOverview(api: FastifyInstance = stack.api, key = readKey) {
  const res = await api.inject({
    method: 'GET',
    url: `/v1/apps/${stack.app.app.id}/analytics/overview`,
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

const pendingHours = async () =>
  stack.deps.prisma.rollupDirtyHour.count({ where: { orgId: stack.org.org.id, appId: stack.app.app.id } });

describe('dashboards include the hours not yet rolled up', () => {
  it("another org's read of the app is a 404 and rolls nothing up", async () => {
    await ingest(['d-1', 'd-2'], '/');
    await stored(2);
    expect(await pendingHours()).toBe(1);
    const theirs = await createTestOrg(stack.deps.prisma);
    const theirKey = (await createTestApiKey(stack.deps.prisma, theirs.org.id, ['read'])).secret;
    expect((await restOverview(stack.api, theirKey)).status).toBe(404);
    const theirCookie = await portalSessionCookie(stack.deps.secret, theirs.owner.id, { sessionVersion: 0 });
    const input = encodeURIComponent(
      JSON.stringify({ json: { orgId: theirs.org.id, appId: stack.app.app.id, query: {} } }),
    );
    const res = await stack.api.inject({
      method: 'GET',
      url: `/trpc/analytics.overview?input=${input}`,
      headers: { cookie: theirCookie },
    });
    expect(res.statusCode).toBe(404);
    expect(await pendingHours()).toBe(1);
    expect(await stack.deps.prisma.rollupDaily.count({ where: { appId: stack.app.app.id } })).toBe(0);
  });

  it('shows events the writers stored, with no aggregator pass, through tRPC and REST', async () => {
    const before = Date.now();
    const { status, overview } = await trpcOverview();
    expect(status).toBe(200);
    expect(overview).toMatchObject({ events: 2, users: 2, pendingHours: 0, currentHourPartial: true });
    expect(Date.parse(overview.rolledUpAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(overview.rolledUpAt!)).toBeLessThanOrEqual(Date.now());

    // A third device a moment later: the next read has it, whatever the cache held.
    await ingest(['d-3'], '/pricing');
    await stored(3);
    const rest = await restOverview();
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ events: 3, users: 3, pending_hours: 0, current_hour_partial: true });
    expect(Date.parse(rest.body.rolled_up_at as string)).toBeGreaterThanOrEqual(Date.parse(overview.rolledUpAt!));
    expect((await trpcOverview()).overview).toMatchObject({ events: 3, users: 3 });
  });

  it('says the current hour is not in a range that ended before it', async () => {
    const yesterday = new Date(Date.now() - 24 * HOUR).toISOString().slice(0, 10);
    const res = await stack.api.inject({
      method: 'GET',
      url: `/v1/apps/${stack.app.app.id}/analytics/overview?start_date=${yesterday}&end_date=${yesterday}`,
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(res.json()).toMatchObject({ events: 0, current_hour_partial: false });
  });

  it("leaves a busy app's pending hours to the aggregator, and says they are pending", async () => {
    const strict = createTestServerDeps(stack.db.url, undefined, { freshRollups: { maxEvents: 1, minIntervalMs: 0 } });
    const api = await buildServer(strict);
    try {
      await ingest(['d-4', 'd-5'], '/busy');
      await stored(5);
      const { body } = await restOverview(api);
      // Two new events exceed this api's limit of one: the figures are the last rollup's.
      expect(body).toMatchObject({ events: 3, users: 3, pending_hours: 1, current_hour_partial: true });
      expect(await pendingHours()).toBe(1);
      // The default limits take them.
      expect((await trpcOverview()).overview).toMatchObject({ events: 5, users: 5, pendingHours: 0 });
    } finally {
      await api.close();
      await strict.close();
    }
  });
});
