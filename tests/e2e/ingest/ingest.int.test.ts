import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createIngestBuffer, flushUsageCounters, hashDeviceId } from '@sightline/core';
import { createTestApiKey, createTestApp, createTestOrg, until } from '@sightline/core/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorHeaders } from '@sightline/api/testing';
import { startIngestStack } from '../support/ingest-stack.ts';

// Telemetry from the HTTP edge to PostgreSQL: the api's pipeline, the Redis buffer and the
// worker's writers, all real.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let deps: Awaited<ReturnType<typeof startIngestStack>>['deps'];
let api: FastifyInstance;
let org: Awaited<ReturnType<typeof startIngestStack>>['org'];
let app: Awaited<ReturnType<typeof startIngestStack>>['app'];
let salt: string;

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

async function post(path: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await api.inject({
    method: 'POST',
    url: path,
    remoteAddress: '8.8.8.8',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': CHROME, ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, unknown>>() };
}

const events = (n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'screen_view',
    timestamp: new Date(Date.now() - 1000 * (n - i)).toISOString(),
    data: { screen_name: `s${i}` },
    ...extra,
  }));

beforeAll(async () => {
  stack = await startIngestStack('com.example.shop');
  ({ deps, api, org, app, salt } = stack);
});

afterAll(async () => {
  await stack?.close(api);
});

describe('POST /v1/telemetry/events', () => {
  it('stores a batch with the device id hashed, enriched, scrubbed, named and valued', async () => {
    const session = randomUUID();
    const res = await post('/v1/telemetry/events', app.ingestKey, {
      app_id: 'com.example.shop',
      app_version: '1.2.0',
      device_id: 'device-raw-1',
      session_id: session,
      events: [
        { type: 'app_start', timestamp: new Date(Date.now() - 5000).toISOString(), data: {} },
        { type: 'web_vital', timestamp: Date.now() - 4000, data: { name: 'LCP', value: 1830, page: '/checkout' } },
        {
          type: 'checkout_done',
          timestamp: new Date(Date.now() - 3000).toISOString(),
          data: { email: 'ada@example.com', password: 'hunter2', note: 'card 4111 1111 1111 1111' },
        },
        {
          type: 'screen_view',
          timestamp: new Date(Date.now() + 3_600_000).toISOString(),
          data: { screen_name: 'home' },
        },
      ],
    });
    expect(res).toMatchObject({ status: 202, body: { received: 4 } });

    const rows = await until(async () => {
      const r = await deps.pool.query<Record<string, unknown>>(
        'SELECT * FROM events WHERE app_id = $1 AND session_id = $2 ORDER BY occurred_at',
        [app.app.id, session],
      );
      return r.rowCount === 4 ? r.rows : undefined;
    });
    const device = hashDeviceId(salt, 'device-raw-1');
    expect(rows.every((r) => r.device_id === device)).toBe(true);
    expect(rows[0]).toMatchObject({
      org_id: org.org.id,
      type: 'app_start',
      app_version: '1.2.0',
      browser: 'Chrome',
      os: 'Windows',
      country: 'US',
    });
    expect(rows[1]).toMatchObject({ type: 'web_vital', name: 'LCP', value: 1830 });
    expect(rows[2]!.data).toEqual({ email: '[email]', password: '[Filtered]', note: 'card [card]' });
    // A time in the future is clamped to when the event arrived.
    expect((rows[3]!.occurred_at as Date).getTime()).toBeLessThanOrEqual(Date.now());

    const derived = await until(async () => {
      const r = await deps.pool.query('SELECT * FROM sessions WHERE app_id = $1 AND id = $2', [app.app.id, session]);
      return r.rows[0] as
        { event_count: number; screen_count: number; crashed: boolean; device_id: string } | undefined;
    });
    expect(derived).toMatchObject({ event_count: 4, screen_count: 1, crashed: false, device_id: device });
  });

  it('stores a 5-day-old event with its own time (inside the 7-day window) and drops an 8-day-old one', async () => {
    const now = Date.now();
    const day = 86_400_000;
    const session = randomUUID();
    const at = (ms: number) => new Date(ms).toISOString();
    const res = await post('/v1/telemetry/events', app.ingestKey, {
      device_id: 'late-device',
      session_id: session,
      events: [
        { type: 'app_start', timestamp: at(now - 5 * day), data: {} },
        { type: 'app_start', timestamp: at(now - 8 * day), data: {} },
        // Sent after the late one in the same batch: once it is stored, the batch is.
        { type: 'screen_view', timestamp: at(now), data: { screen_name: 'marker' } },
      ],
    });
    expect(res).toMatchObject({ status: 202, body: { received: 2, dropped: { too_old: 1 } } });

    const rows = await until(async () => {
      const r = await deps.pool.query<{ type: string; occurred_at: Date }>(
        'SELECT type, occurred_at FROM events WHERE app_id = $1 AND session_id = $2 ORDER BY occurred_at',
        [app.app.id, session],
      );
      return r.rows.some((row) => row.type === 'screen_view') ? r.rows : undefined;
    });
    expect(rows.map((r) => [r.type, r.occurred_at.getTime()])).toEqual([
      ['app_start', now - 5 * day],
      ['screen_view', now],
    ]);
  });

  it('keeps good events and reports bad ones; an all-bad batch is a 400', async () => {
    const res = await post('/v1/telemetry/events', app.ingestKey, {
      device_id: 'd2',
      events: [
        ...events(2),
        { type: 'web_vital', timestamp: Date.now(), data: { name: 'XYZ', value: 1 } },
        { type: 'bad type!', timestamp: 'yesterday' },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body.received).toBe(2);
    expect((res.body.errors as Array<{ index: number }>).map((e) => e.index)).toEqual([2, 3]);
    const allBad = await post('/v1/telemetry/events', app.ingestKey, { device_id: 'd2', events: [{ type: 'x' }] });
    expect(allBad.status).toBe(400);
    expect(JSON.stringify(allBad.body)).toMatch(/events\.0\.timestamp/);
    expect((await post('/v1/telemetry/events', app.ingestKey, { device_id: 'd2', events: events(501) })).status).toBe(
      400,
    );
    expect((await post('/v1/telemetry/events', app.ingestKey, '{"device_id": "d2", "events": [')).status).toBe(400);
  });

  it('takes the app from the credential: another app id is not found, a secret key picks its own org app', async () => {
    const other = await createTestApp(deps.prisma, org.org.id);
    const wrong = await post('/v1/telemetry/events', app.ingestKey, {
      app_id: other.app.id,
      device_id: 'd3',
      events: events(1),
    });
    expect(wrong.status).toBe(404);
    const ingestKey = await createTestApiKey(deps.prisma, org.org.id, ['ingest']);
    const bySecret = await post('/v1/telemetry/events', ingestKey.secret, {
      app_id: other.app.bundleId,
      device_id: 'd3',
      events: events(1),
    });
    expect(bySecret).toMatchObject({ status: 202, body: { received: 1 } });
    const foreignOrg = await createTestOrg(deps.prisma);
    const foreignApp = await createTestApp(deps.prisma, foreignOrg.org.id);
    expect(
      (
        await post('/v1/telemetry/events', ingestKey.secret, {
          app_id: foreignApp.app.id,
          device_id: 'd3',
          events: events(1),
        })
      ).status,
    ).toBe(404);
    const readOnly = await createTestApiKey(deps.prisma, org.org.id, ['read']);
    expect(
      (
        await post('/v1/telemetry/events', readOnly.secret, {
          app_id: other.app.id,
          device_id: 'd3',
          events: events(1),
        })
      ).status,
    ).toBe(403);
  });

  it('refuses origins outside the allow-list and reads gzip bodies', async () => {
    await deps.prisma.app.update({ where: { id: app.app.id }, data: { allowedOrigins: ['https://shop.example.com'] } });
    const body = { device_id: 'd4', events: events(3) };
    expect((await post('/v1/telemetry/events', app.ingestKey, body, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect(
      (await post('/v1/telemetry/events', app.ingestKey, body, { origin: 'https://shop.example.com' })).status,
    ).toBe(202);
    const zipped = await post('/v1/telemetry/events', app.ingestKey, gzipSync(JSON.stringify(body)), {
      'content-encoding': 'gzip',
    });
    expect(zipped).toMatchObject({ status: 202, body: { received: 3 } });
    const broken = await post('/v1/telemetry/events', app.ingestKey, Buffer.from('not gzip at all'), {
      'content-encoding': 'gzip',
    });
    expect(broken.status).toBe(400);
    await deps.prisma.app.update({ where: { id: app.app.id }, data: { allowedOrigins: [] } });
  });

  it('stores text holding NUL characters (PostgreSQL cannot) without them, instead of stalling the writer', async () => {
    const session = `nul\u0000-${randomUUID()}`;
    const res = await post('/v1/telemetry/events', app.ingestKey, {
      device_id: 'd-nul',
      session_id: session,
      events: [
        { type: 'screen_view', name: 'ho\u0000me', timestamp: Date.now() - 1000, data: { screen_name: 'a\u0000b' } },
      ],
    });
    expect(res.status).toBe(202);
    const row = await until(
      async () =>
        (
          await deps.pool.query<Record<string, unknown>>('SELECT * FROM events WHERE session_id = $1', [
            session.replace('\u0000', ''),
          ])
        ).rows[0],
    );
    expect(row).toMatchObject({ name: 'home', data: { screen_name: 'ab' } });
  });

  it('stores a replayed event once, and counts it once in its session', async () => {
    const id = randomUUID();
    const session = randomUUID();
    const first = {
      device_id: 'd5',
      session_id: session,
      events: [{ id, type: 'feature_used', timestamp: Date.now() - 1000, data: { feature_name: 'export' } }],
    };
    expect((await post('/v1/telemetry/events', app.ingestKey, first)).status).toBe(202);
    await until(async () => ((await deps.redis.xlen(`${deps.namespace}:ingest:events`)) === 0 ? true : undefined));
    // The replay holds the stored event and a new one: only the new one may count.
    const replay = {
      ...first,
      events: [...first.events, { type: 'screen_view', timestamp: Date.now() - 500, data: { screen_name: 'done' } }],
    };
    expect((await post('/v1/telemetry/events', app.ingestKey, replay)).status).toBe(202);
    await until(async () => ((await deps.redis.xlen(`${deps.namespace}:ingest:events`)) === 0 ? true : undefined));
    const stored = await deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE id = $1', [id]);
    expect(stored.rows[0]?.n).toBe(1);
    const derived = await deps.pool.query('SELECT event_count, screen_count FROM sessions WHERE id = $1', [session]);
    expect(derived.rows).toEqual([{ event_count: 2, screen_count: 1 }]);
  });

  it('moves an entry PostgreSQL refuses to the dead-letter list and stores the rest of its batch', async () => {
    const session = randomUUID();
    const entry = (id: string, screen: string) =>
      JSON.stringify({
        o: org.org.id,
        a: app.app.id,
        r: Date.now(),
        e: [
          [
            id,
            Date.now() - 1000,
            'screen_view',
            screen,
            'dev',
            session,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            '{}',
          ],
        ],
      });
    const stream = `${deps.namespace}:ingest:events`;
    await deps.redis
      .multi()
      .xadd(stream, '*', 'b', entry(randomUUID(), 'before'))
      .xadd(stream, '*', 'b', entry('not-a-uuid', 'poison'))
      .xadd(stream, '*', 'b', entry(randomUUID(), 'after'))
      .exec();
    const screens = await until(async () => {
      const r = await deps.pool.query<{ name: string }>('SELECT name FROM events WHERE session_id = $1 ORDER BY name', [
        session,
      ]);
      return r.rows.length === 2 ? r.rows.map((row) => row.name) : undefined;
    });
    expect(screens).toEqual(['after', 'before']);
    await until(async () => ((await deps.redis.xlen(stream)) === 0 ? true : undefined));
    const ready = await api.inject({ method: 'GET', url: '/readyz?detail=1', headers: operatorHeaders });
    expect(ready.json()).toMatchObject({
      status: 'ready',
      ingest: {
        backlog: { events: 0 },
        deadLetters: {
          count: 1,
          latest: [
            {
              stream: 'events',
              kind: 'refused',
              reason: expect.stringMatching(/invalid input syntax for type uuid/) as unknown,
            },
          ],
        },
      },
    });
    expect((await api.inject({ method: 'GET', url: '/readyz' })).json()).not.toHaveProperty('ingest');
  });

  it("answers 429 with Retry-After once the org's monthly quota is used up", async () => {
    const small = await createTestOrg(deps.prisma);
    await deps.prisma.organization.update({ where: { id: small.org.id }, data: { monthlyEventQuota: 3 } });
    const smallApp = await createTestApp(deps.prisma, small.org.id);
    expect((await post('/v1/telemetry/events', smallApp.ingestKey, { device_id: 'q', events: events(2) })).status).toBe(
      202,
    );
    const over = await post('/v1/telemetry/events', smallApp.ingestKey, { device_id: 'q', events: events(2) });
    expect(over.status).toBe(429);
    // A monthly quota: come back in an hour (ingest-steps.ts), not a burst-limit wait.
    expect(over.headers['retry-after']).toBe('3600');
    expect(String((over.body.error as { message: string }).message)).toMatch(/quota/);
    // The admin page reads usage_counters: the flush copies Redis's counts, twice the same.
    await flushUsageCounters(deps.pool, deps.redis, deps.namespace);
    await flushUsageCounters(deps.pool, deps.redis, deps.namespace);
    const usage = await deps.prisma.usageCounter.findMany({ where: { orgId: small.org.id } });
    expect(usage.map((u) => [Number(u.eventsAccepted), Number(u.eventsDropped)])).toEqual([[2, 2]]);
  });

  it('answers 503 with Retry-After when Redis does not answer, never 500', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    const working = deps.ingest.buffer;
    deps.ingest.buffer = createIngestBuffer(down, { namespace: deps.namespace });
    try {
      const res = await post('/v1/telemetry/events', app.ingestKey, { device_id: 'd6', events: events(1) });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      deps.ingest.buffer = working;
      down.disconnect();
    }
  });
});

describe('POST /v1/telemetry/crash', () => {
  it('answers with the report id and stores the report under it, scrubbed', async () => {
    const res = await post('/v1/telemetry/crash', app.ingestKey, {
      app_id: 'com.example.shop',
      app_version: '1.2.0',
      device_id: 'crashy',
      timestamp: new Date().toISOString(),
      crash: {
        type: 'lua_error',
        message: "attempt to index nil value 'user' (ada@example.com)",
        stack_trace: 'main.lua:42: in function loadUser',
        context: { screen: 'profile.rml', token: 'abc' },
      },
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    const row = await until(
      async () =>
        (await deps.pool.query('SELECT * FROM crash_reports WHERE id = $1', [id])).rows[0] as
          Record<string, unknown> | undefined,
    );
    expect(row).toMatchObject({
      org_id: org.org.id,
      app_id: app.app.id,
      crash_type: 'lua_error',
      app_version: '1.2.0',
      device_id: hashDeviceId(salt, 'crashy'),
    });
    expect(row.message).toBe("attempt to index nil value 'user' ([email])");
    expect(row.context).toMatchObject({ screen: 'profile.rml', token: '[Filtered]', country: 'US' });
  });

  it('stores a report sent twice under the same id once, and counts it once in its group', async () => {
    const report = {
      id: '7d3c8a52-3f7e-4b8e-9a51-2f0c1d9e4b11',
      device_id: 'resender',
      crash: { type: 'RangeError', message: 'resent after a lost answer', stack_trace: 'at retry (app.js:1:1)' },
    };
    const first = await post('/v1/telemetry/crash', app.ingestKey, report);
    const second = await post('/v1/telemetry/crash', app.ingestKey, report);
    expect(first.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    const other = await post('/v1/telemetry/crash', app.ingestKey, {
      ...report,
      id: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
    });
    await until(async () =>
      (await deps.pool.query('SELECT 1 FROM crash_reports WHERE id = $1', [other.body.id])).rowCount ? true : undefined,
    );
    const stored = await deps.pool.query<{ n: number; occurrences: string }>(
      `SELECT count(*)::int AS n, max(g.occurrence_count)::text AS occurrences
         FROM crash_reports r JOIN crash_groups g ON g.id = r.group_id WHERE r.message = 'resent after a lost answer'`,
    );
    expect(stored.rows[0]).toEqual({ n: 2, occurrences: '2' });
    const bad = await post('/v1/telemetry/crash', app.ingestKey, { ...report, id: 'not a uuid!' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('id');
  });
});

describe('GET /metrics', () => {
  it('exposes accepted and dropped events in Prometheus format', async () => {
    const res = await api.inject({ method: 'GET', url: '/metrics', headers: operatorHeaders });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/sightline_ingest_events_accepted_total\{kind="event"\} \d+/);
    expect(res.body).toMatch(/sightline_ingest_events_dropped_total\{reason="invalid"\} \d+/);
    expect(res.body).toMatch(/sightline_ingest_queue_depth \d+/);
  });
});
