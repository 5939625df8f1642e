import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QUEUES } from '@sightline/jobs';
import { freePort } from '@sightline/core/testing';
import { createPool } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerMetrics, serveMetrics, type WorkerReadiness } from './metrics.ts';
import { registerQueueMetrics } from './queue-metrics.ts';

// The worker's own port on real PostgreSQL, Redis and BullMQ: /healthz and /readyz open
// next to the token-protected /metrics, and the queue and ingestion-stream gauges reading
// what Redis holds at scrape time.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'worker-health-token-1234';
let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 2 });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  redis?.disconnect();
  await pool?.end();
  await db?.drop();
});

async function listen(registry: Registry, ready: WorkerReadiness): Promise<string> {
  const server: Server = serveMetrics(registry, 0, TOKEN, ready);
  await once(server, 'listening');
  cleanup.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The sample lines of one metric, e.g. `sightline_queue_jobs{queue="alerts",state="waiting"} 2`. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`));
}

describe("the worker's health endpoints", () => {
  it('answers /healthz and /readyz without the metrics token, and /readyz 503 naming Redis when it is away', async () => {
    const base = await listen(createWorkerMetrics().registry, {
      postgres: () => pool.query('SELECT 1'),
      redis: () => redis.ping(),
    });
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } },
    ]);
    // /metrics still needs the token.
    expect((await fetch(`${base}/metrics`)).status).toBe(401);

    // A Redis nothing listens on: readiness fails on Redis alone, health stays up.
    const away = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    away.on('error', () => undefined);
    cleanup.push(() => Promise.resolve(away.disconnect()));
    const downBase = await listen(createWorkerMetrics().registry, {
      postgres: () => pool.query('SELECT 1'),
      redis: () => away.ping(),
    });
    const down = await fetch(`${downBase}/readyz`);
    const body = (await down.json()) as { status: string; checks: { postgres: string; redis: string } };
    expect(down.status).toBe(503);
    expect(body.status).toBe('unavailable');
    expect(body.checks.postgres).toBe('ok');
    expect(body.checks.redis).not.toBe('ok');
    expect((await fetch(`${downBase}/healthz`)).status).toBe(200);
  });
});

describe('queue and ingestion stream gauges', () => {
  it('report BullMQ jobs per queue and state and the streams’ length and pending entries', async () => {
    const prefix = `test-qm-${randomUUID().slice(0, 8)}`;
    const namespace = `test-qm-${randomUUID().slice(0, 8)}`;
    const connection = { url: REDIS_URL };

    const alerts = new Queue(QUEUES.alerts, { connection, prefix });
    const privacy = new Queue(QUEUES.privacy, { connection, prefix });
    const maintenance = new Queue(QUEUES.maintenance, { connection, prefix });
    cleanup.push(() => Promise.all([alerts.obliterate({ force: true }), privacy.obliterate({ force: true })]));
    cleanup.push(() => maintenance.obliterate({ force: true }));
    await alerts.add('a', {});
    await alerts.add('b', {});
    await alerts.add('later', {}, { delay: 600_000 });
    // One job that fails, one that stays active until the test ends.
    const failing = new Worker(QUEUES.privacy, () => Promise.reject(new Error('no')), { connection, prefix });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = new Worker(QUEUES.maintenance, () => held, { connection, prefix });
    cleanup.push(() => Promise.all([failing.close(), (release(), holding.close())]));
    await privacy.add('p', {});
    await maintenance.add('m', {});

    // The events stream: three entries, two read by a writer and not acknowledged.
    const events = `${namespace}:ingest:events`;
    cleanup.push(() => redis.del(events));
    for (const n of [1, 2, 3]) await redis.xadd(events, '*', 'b', String(n));
    await redis.xgroup('CREATE', events, 'writers', '0');
    await redis.xreadgroup('GROUP', 'writers', 'w1', 'COUNT', 2, 'STREAMS', events, '>');

    const registry = new Registry();
    const metrics = registerQueueMetrics(registry, { connection: redis, prefix, namespace, cacheMs: 0 });
    cleanup.push(() => metrics.close());
    const base = await listen(registry, { postgres: () => pool.query('SELECT 1'), redis: () => redis.ping() });

    const deadline = Date.now() + 20_000;
    let text = await scrape(base);
    while (
      !text.includes('queue="privacy",state="failed"} 1') ||
      !text.includes('queue="maintenance",state="active"} 1')
    ) {
      if (Date.now() > deadline) throw new Error(`jobs never failed/started:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
      text = await scrape(base);
    }
    const expected: Record<string, number> = {
      'alerts/waiting': 2,
      'alerts/delayed': 1,
      'privacy/failed': 1,
      'maintenance/active': 1,
    };
    expect(samples(text, 'sightline_queue_jobs').sort()).toEqual(
      [
        ...['maintenance', 'alerts', 'analytics', 'privacy'].flatMap((queue) =>
          ['waiting', 'active', 'failed', 'delayed'].map((state) => {
            const count = expected[`${queue}/${state}`] ?? 0;
            return `sightline_queue_jobs{queue="${queue}",state="${state}"} ${count}`;
          }),
        ),
      ].sort(),
    );
    expect(samples(text, 'sightline_ingest_stream_length')).toEqual([
      'sightline_ingest_stream_length{stream="events"} 3',
      'sightline_ingest_stream_length{stream="crashes"} 0',
    ]);
    expect(samples(text, 'sightline_ingest_stream_pending')).toEqual([
      'sightline_ingest_stream_pending{stream="events"} 2',
      'sightline_ingest_stream_pending{stream="crashes"} 0',
    ]);
  });

  it('reuses one snapshot within cacheMs, and a Redis that does not answer leaves the gauges empty instead of hanging the scrape', async () => {
    const prefix = `test-qm-${randomUUID().slice(0, 8)}`;
    const alerts = new Queue(QUEUES.alerts, { connection: { url: REDIS_URL }, prefix });
    cleanup.push(() => alerts.obliterate({ force: true }));
    const registry = new Registry();
    const metrics = registerQueueMetrics(registry, { connection: redis, prefix, namespace: prefix, cacheMs: 60_000 });
    cleanup.push(() => metrics.close());
    const base = await listen(registry, { postgres: () => pool.query('SELECT 1'), redis: () => redis.ping() });
    expect(await scrape(base)).toContain('sightline_queue_jobs{queue="alerts",state="waiting"} 0');
    await alerts.add('a', {});
    // Within cacheMs a scrape costs Redis nothing and shows the same snapshot.
    expect(await scrape(base)).toContain('sightline_queue_jobs{queue="alerts",state="waiting"} 0');

    // Commands to a Redis nothing listens on wait in the offline queue forever (as the
    // worker's BullMQ connection does): the scrape gives up after timeoutMs.
    const away = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null });
    away.on('error', () => undefined);
    cleanup.push(() => Promise.resolve(away.disconnect()));
    const awayRegistry = new Registry();
    const awayMetrics = registerQueueMetrics(awayRegistry, {
      connection: away,
      prefix,
      namespace: prefix,
      timeoutMs: 300,
    });
    cleanup.push(() => awayMetrics.close());
    const awayBase = await listen(awayRegistry, { postgres: () => pool.query('SELECT 1'), redis: () => away.ping() });
    const started = Date.now();
    const text = await scrape(awayBase);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(samples(text, 'sightline_queue_jobs')).toEqual([]);
    expect(text).toContain('# TYPE sightline_ingest_stream_length gauge');
    expect(samples(text, 'sightline_ingest_stream_length')).toEqual([]);
  });
});
