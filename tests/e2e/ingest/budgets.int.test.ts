import { randomUUID } from 'node:crypto';
import { buildServer } from '@sightline/api';
import { createTestServerDeps, operatorHeaders } from '@sightline/api/testing';
import { backlogBytesKey, createIngestBuffer, createLogger } from '@sightline/core';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestWriters } from '@sightline/worker';

// Byte budgets at the public door: crash reports have a monthly quota of their own (an event
// quota that runs out keeps crashes flowing, and the other way round), and the backlog Redis
// holds is limited in bytes, answering 503 before the budget is passed.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

async function appWithQuotas(quotas: { monthlyEventQuota: number; monthlyCrashQuota: number }) {
  const org = await createTestOrg(deps.prisma);
  await deps.prisma.organization.update({ where: { id: org.org.id }, data: quotas });
  return createTestApp(deps.prisma, org.org.id);
}

function post(url: string, key: string, body: unknown, contentType = 'application/json') {
  return api.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const events = (n: number, data: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'screen_view',
    timestamp: Date.now(),
    data: { screen_name: `s${i}`, ...data },
  }));
const crash = () => ({ device_id: 'd1', crash: { type: 'TypeError', message: 'x is undefined' } });
const hex = () => randomUUID().replaceAll('-', '');

function envelope(...items: Array<[Record<string, unknown>, unknown]>): string {
  return [JSON.stringify({}), ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)])].join('\n');
}
const errorItem = (): [Record<string, unknown>, unknown] => [
  { type: 'event' },
  { event_id: hex(), level: 'error', exception: { values: [{ type: 'Error', value: 'boom' }] } },
];
const sessionItem = (): [Record<string, unknown>, unknown] => [
  { type: 'session' },
  { sid: hex(), init: true, started: new Date().toISOString(), status: 'ok' },
];

describe('the monthly crash quota', () => {
  it('refuses crash reports over it with 429 naming the crash quota, while events keep flowing', async () => {
    const app = await appWithQuotas({ monthlyEventQuota: 1_000, monthlyCrashQuota: 2 });
    expect((await post('/v1/telemetry/crash', app.ingestKey, crash())).statusCode).toBe(202);
    expect((await post('/v1/telemetry/crash', app.ingestKey, crash())).statusCode).toBe(202);
    const over = await post('/v1/telemetry/crash', app.ingestKey, crash());
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json<{ error: { message: string } }>().error.message).toMatch(/quota of 2 crash reports/);
    const ok = await post('/v1/telemetry/events', app.ingestKey, { device_id: 'd1', events: events(3) });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ received: 3 });
  });

  it('keeps accepting crash reports once only the event quota is used up', async () => {
    const app = await appWithQuotas({ monthlyEventQuota: 0, monthlyCrashQuota: 1_000 });
    const refused = await post('/v1/telemetry/events', app.ingestKey, { device_id: 'd1', events: events(1) });
    expect(refused.statusCode).toBe(429);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/events is used up/);
    expect((await post('/v1/telemetry/crash', app.ingestKey, crash())).statusCode).toBe(202);
  });

  it('answers Sentry SDKs with X-Sentry-Rate-Limits naming the error category, keeping their sessions', async () => {
    const app = await appWithQuotas({ monthlyEventQuota: 1_000, monthlyCrashQuota: 0 });
    const path = `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`;
    const only = await post(path, app.ingestKey, envelope(errorItem()), 'application/x-sentry-envelope');
    expect(only.statusCode).toBe(429);
    expect(Number(only.headers['retry-after'])).toBeGreaterThan(0);
    const limits = String(only.headers['x-sentry-rate-limits']);
    // retry_after:categories:scope:reason — errors only, so the SDK keeps sending sessions.
    expect(limits).toMatch(/^\d+:[a-z;]*\berror\b[a-z;]*:organization:usage_exceeded$/);
    expect(limits).not.toMatch(/session|transaction/);

    const mixed = await post(
      path,
      app.ingestKey,
      envelope(errorItem(), sessionItem()),
      'application/x-sentry-envelope',
    );
    expect(mixed.statusCode).toBe(200);
    expect(String(mixed.headers['x-sentry-rate-limits'])).toMatch(/:[a-z;]*\berror\b[a-z;]*:organization/);
    const buffered = await deps.redis.xrange(deps.ingest.buffer.stream, '-', '+');
    expect(buffered.some(([, fields]) => String(fields[1]).includes('session_start'))).toBe(true);
  });

  it('names only the event categories when the event quota is used up, so Sentry SDKs keep sending errors', async () => {
    const app = await appWithQuotas({ monthlyEventQuota: 0, monthlyCrashQuota: 1_000 });
    const path = `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`;
    const res = await post(path, app.ingestKey, envelope(sessionItem()), 'application/x-sentry-envelope');
    expect(res.statusCode).toBe(429);
    expect(String(res.headers['x-sentry-rate-limits'])).toMatch(/^\d+:session;transaction:organization/);
    const err = await post(path, app.ingestKey, envelope(errorItem()), 'application/x-sentry-envelope');
    expect(err.statusCode).toBe(200);
  });
});

describe('the backlog byte budget', () => {
  it('answers 503 with Retry-After before the buffered bytes pass the budget, and accepts again once drained', async () => {
    const budget = 3 * 1024 * 1024;
    const working = deps.ingest.buffer;
    deps.ingest.buffer = createIngestBuffer(deps.redis, { namespace: deps.namespace, maxBacklogBytes: budget });
    const app = await appWithQuotas({ monthlyEventQuota: 1e9, monthlyCrashQuota: 1e6 });
    const streams = [deps.ingest.buffer.stream, deps.ingest.buffer.crashStream];
    /** What the streams really hold, entry by entry. */
    const heldBytes = async () => {
      let total = 0;
      for (const stream of streams) {
        for (const [, fields] of await deps.redis.xrange(stream, '-', '+')) total += Buffer.byteLength(fields[1] ?? '');
      }
      return total;
    };
    const big = { device_id: 'd-big', events: events(60, { blob: 'b'.repeat(15_000) }) };
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10 && !statuses.includes(503); i++) {
        const res = await post('/v1/telemetry/events', app.ingestKey, big);
        statuses.push(res.statusCode);
        if (res.statusCode === 503) {
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
          expect(res.json<{ error: { message: string } }>().error.message).toMatch(/size limit/);
        }
        expect(await heldBytes()).toBeLessThanOrEqual(budget);
      }
      // ~0.9 MB per request: three fit, the fourth would pass 3 MB.
      expect(statuses).toEqual([202, 202, 202, 503]);
      // Operators see how close the backlog is to its budget.
      const detail = (await api.inject({ method: 'GET', url: '/readyz?detail=1', headers: operatorHeaders })).json<{
        ingest: { backlog: { bytes: number; maxBytes: number } };
      }>();
      expect(detail.ingest.backlog).toMatchObject({ bytes: await heldBytes(), maxBytes: budget });
      // Crash reports count against the same budget.
      const bigCrash = {
        device_id: 'd-big',
        crash: {
          type: 'E',
          stack_trace: 'at f (a.js:1:1)\n'.repeat(15_000),
          breadcrumbs: Array.from({ length: 100 }, (_, i) => ({ message: `m${i}`, data: { pad: 'p'.repeat(3_500) } })),
        },
      };
      expect((await post('/v1/telemetry/crash', app.ingestKey, bigCrash)).statusCode).toBe(503);

      // The writers store the backlog and give its bytes back: ingestion is accepted again.
      const writerRedis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
      const writers = startIngestWriters({
        pool: deps.pool,
        redis: writerRedis,
        log: createLogger('writer-test', 'silent'),
        namespace: deps.namespace,
      });
      try {
        for (const deadline = Date.now() + 60_000; ;) {
          if (Number((await deps.redis.get(backlogBytesKey(deps.ingest.buffer.stream))) ?? 0) === 0) break;
          if (Date.now() > deadline) throw new Error('the backlog was not drained');
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await writers.close();
        writerRedis.disconnect();
      }
      const stored = await deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE app_id = $1', [
        app.app.id,
      ]);
      expect(stored.rows[0]!.n).toBe(180);
      expect((await post('/v1/telemetry/events', app.ingestKey, big)).statusCode).toBe(202);
    } finally {
      deps.ingest.buffer = working;
    }
  });
});
