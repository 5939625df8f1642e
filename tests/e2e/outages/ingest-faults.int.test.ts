import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildServer } from '@sightline/api';
import { createTestServerDeps, operatorHeaders } from '@sightline/api/testing';
import { createLogger } from '@sightline/core';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { createTestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startThrowawayPostgres, startThrowawayRedis } from '../support/throwaway-servers.ts';
import { spawnWorker } from '../support/ingest-stack.ts';
import { startIngestWriters } from '@sightline/worker';

// Faults on the ingestion path with real servers: a worker killed mid-write, PostgreSQL
// stopped while clients keep sending, Redis stopped. Whatever the api acknowledged must be
// in PostgreSQL exactly once; what it could not store it must refuse with 503, never 500.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Sender {
  /** Ids of every event the api acknowledged. */
  acked: Set<string>;
  /** Sends `batches` batches of `size` events, a few at a time; returns each status seen. */
  send(batches: number, size?: number): Promise<number[]>;
}

function sender(api: FastifyInstance, key: string): Sender {
  const acked = new Set<string>();
  return {
    acked,
    async send(batches, size = 50) {
      const statuses: number[] = [];
      const one = async () => {
        const ids = Array.from({ length: size }, () => randomUUID());
        const res = await api.inject({
          method: 'POST',
          url: '/v1/telemetry/events',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          payload: JSON.stringify({
            device_id: `dev-${ids[0]!.slice(0, 4)}`,
            session_id: ids[0],
            events: ids.map((id, i) => ({
              id,
              type: 'screen_view',
              timestamp: Date.now() - 1000 + i,
              data: { screen_name: `s${i % 7}` },
            })),
          }),
        });
        statuses.push(res.statusCode);
        if (res.statusCode === 202) for (const id of ids) acked.add(id);
      };
      for (let i = 0; i < batches; i += 5) await Promise.all(Array.from({ length: Math.min(5, batches - i) }, one));
      return statuses;
    },
  };
}

/** Every acknowledged id is stored, and no id twice. */
async function expectExactlyOnce(url: string, appId: number, acked: Set<string>): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const stored = await until(async () => {
      const r = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE app_id = $1', [appId]);
      return (r.rows[0]?.n ?? 0) >= acked.size ? r.rows[0]!.n : undefined;
    }, 90);
    expect(stored).toBe(acked.size);
    const ids = await pool.query<{ id: string }>('SELECT DISTINCT id FROM events WHERE app_id = $1', [appId]);
    expect(ids.rowCount).toBe(acked.size);
    expect(ids.rows.every((r) => acked.has(r.id))).toBe(true);
  } finally {
    await pool.end();
  }
}

describe('ingestion under faults', () => {
  it('stores every acknowledged event exactly once when the worker is killed with SIGKILL mid-ingest', async () => {
    const db = await createTestDatabase();
    const deps = createTestServerDeps(db.url);
    const api = await buildServer(deps);
    const workers: ChildProcess[] = [];
    const startWorker = () => {
      const child = spawnWorker({
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: deps.namespace,
        SIGHTLINE_SECRET: 'fault-test-secret-0123456789abcdef0123456789',
        WRITER_BATCH_ENTRIES: '10',
        WRITER_CLAIM_IDLE_MS: '1000',
      });
      workers.push(child);
      return child;
    };
    try {
      const org = await createTestOrg(deps.prisma);
      const app = await createTestApp(deps.prisma, org.org.id, {});
      const client = sender(api, app.ingestKey);
      const count = async () =>
        (await deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE app_id = $1', [app.app.id]))
          .rows[0]!.n;

      expect(new Set(await client.send(200))).toEqual(new Set([202]));
      const first = startWorker();
      // Kill it once it has committed some batches and is in the middle of the rest.
      const partial = await until(async () => {
        const n = await count();
        return n > 0 ? n : undefined;
      }, 60);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(partial).toBeLessThan(client.acked.size);

      expect(new Set(await client.send(100))).toEqual(new Set([202]));
      startWorker();
      await expectExactlyOnce(db.url, app.app.id, client.acked);
    } finally {
      for (const w of workers) w.kill('SIGKILL');
      await api.close();
      await deps.close();
      await db.drop();
    }
  }, 120_000);

  it('keeps acknowledging while PostgreSQL is stopped, and stores everything once it is back', async () => {
    const postgres = await startThrowawayPostgres();
    const deps = createTestServerDeps(postgres.url);
    const api = await buildServer(deps);
    const writerRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const writers = startIngestWriters({
      pool: deps.pool,
      redis: writerRedis,
      log: createLogger('writer-test', 'silent'),
      namespace: deps.namespace,
      claimIdleMs: 500,
    });
    try {
      const org = await createTestOrg(deps.prisma);
      const app = await createTestApp(deps.prisma, org.org.id, {});
      const client = sender(api, app.ingestKey);
      expect(new Set(await client.send(20))).toEqual(new Set([202]));

      await postgres.stop('fast');
      expect(new Set(await client.send(40))).toEqual(new Set([202]));
      const health = await api.inject({ method: 'GET', url: '/readyz?detail=1', headers: operatorHeaders });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        checks: { redis: 'ok' },
        ingest: { backlog: { events: expect.any(Number) as unknown } },
      });
      await new Promise((r) => setTimeout(r, 1500)); // the writer fails and backs off meanwhile

      await postgres.start();
      expect(new Set(await client.send(20))).toEqual(new Set([202]));
      await expectExactlyOnce(postgres.url, app.app.id, client.acked);
      expect(client.acked.size).toBe(80 * 50);
    } finally {
      await writers.close();
      writerRedis.disconnect();
      await api.close();
      await deps.close();
      await postgres.destroy();
    }
  }, 120_000);

  it('answers 503 with Retry-After, never 500, while Redis is stopped', async () => {
    const redis = await startThrowawayRedis();
    const db = await createTestDatabase();
    const deps = createTestServerDeps(db.url, undefined, { redisUrl: redis.url });
    const api = await buildServer(deps);
    try {
      const org = await createTestOrg(deps.prisma);
      const app = await createTestApp(deps.prisma, org.org.id, {});
      const client = sender(api, app.ingestKey);
      expect(await client.send(1)).toEqual([202]);

      await redis.stop();
      const requests = [
        {
          url: '/v1/telemetry/events',
          auth: app.ingestKey,
          body: { device_id: 'd', events: [{ type: 'app_start', timestamp: Date.now(), data: {} }] },
        },
        {
          url: '/v1/telemetry/crash',
          auth: app.ingestKey,
          body: { device_id: 'd', crash: { type: 'Error', message: 'x' } },
        },
        { url: '/v1/devices/register', auth: app.ingestKey, body: { app_id: app.app.id, device_id: 'd' } },
      ];
      const answers = await Promise.all(
        [...requests, ...requests].map((r) =>
          api.inject({
            method: 'POST',
            url: r.url,
            headers: { authorization: `Bearer ${r.auth}`, 'content-type': 'application/json' },
            payload: JSON.stringify(r.body),
          }),
        ),
      );
      const sentry = await api.inject({
        method: 'POST',
        url: `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
        payload: `{"event_id":"${'ab'.repeat(16)}"}\n{"type":"event"}\n{"message":"hi"}`,
      });
      for (const res of [...answers, sentry]) {
        expect({ url: res.raw.req.url, status: res.statusCode }).toEqual({ url: res.raw.req.url, status: 503 });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect((await api.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      expect((await api.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

      // Once Redis is back, ingestion works again without a restart.
      await redis.start();
      const back = await until(async () => {
        const statuses = await client.send(1);
        return statuses[0] === 202 ? true : undefined;
      }, 30);
      expect(back).toBe(true);
    } finally {
      await api.close();
      await deps.close();
      await db.drop();
      await redis.destroy();
    }
  }, 120_000);
});
