import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildServer } from '@sightline/api';
import { createTestServerDeps, operatorHeaders } from '@sightline/api/testing';
import {
  createAlertRule,
  createChannel,
  createLogger,
  flushUsageCounters,
  targetPolicySchema,
  usageKeys,
} from '@sightline/core';
import { createTestApp, createTestOrg, startOwnRedis, type OwnRedis, until } from '@sightline/core/testing';
import { createTestDatabase } from '@sightline/db/testing';
import { QUEUES } from '@sightline/jobs';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisServerArgs } from '../../../scripts/redis-config.mjs';
import { startAlerts, startIngestWriters } from '@sightline/worker';

// Redis is SHUTDOWN and started again on the same port and dir, with the arguments `npm start`
// uses (scripts/redis-config.mjs), while clients send and the writers drain a backlog.
// Whatever the api acknowledged must be in PostgreSQL exactly once, the usage counters must
// not move downward, and an alert delivery waiting for its retry must still be delivered.

const SECRET = 'redis-restart-secret-'.padEnd(48, 'r');
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** Sends batches of 50 events with ids, 4 at a time, until stopped; 503 while Redis is away is fine. */
function startLoad(api: FastifyInstance, key: string) {
  const acked = new Set<string>();
  const statuses = new Map<number, number>();
  const unexpected: string[] = [];
  let stopped = false;
  let batches = 0;
  const one = async () => {
    const ids = Array.from({ length: 50 }, () => randomUUID());
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
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    if (res.statusCode === 202) for (const id of ids) acked.add(id);
    else if (res.statusCode !== 503) {
      // Anything but "stored" or "try again" is a bug this test reports; stop sending.
      unexpected.push(`${res.statusCode} ${res.body.slice(0, 300)}`);
      stopped = true;
    }
    batches++;
  };
  const loop = async () => {
    while (!stopped) {
      await one();
      // Keep the pace a client would have: the writers get their share of the event loop.
      await new Promise((r) => setImmediate(r));
    }
  };
  const running = Promise.all([loop(), loop(), loop(), loop()]);
  return {
    acked,
    statuses,
    unexpected,
    batches: () => batches,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

describe('Redis restarted under load (AOF, as npm start runs it)', () => {
  it('loses nothing acknowledged, keeps the usage counters and delivers an alert that was waiting for a retry', async () => {
    const redis: OwnRedis = await startOwnRedis(redisServerArgs);
    cleanups.push(() => redis.destroy());
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const deps = createTestServerDeps(db.url, undefined, { redisUrl: redis.url });
    cleanups.push(() => deps.close());
    const api = await buildServer(deps);
    cleanups.push(() => api.close());
    const log = createLogger('redis-restart-test', 'silent');

    // A webhook that fails the first delivery, then accepts.
    const hooks: number[] = [];
    const webhook: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hooks.push(Date.now());
        res.statusCode = hooks.length === 1 ? 500 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => webhook.close(r)));

    const { org, owner } = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, org.id, {});
    const actor = {
      orgId: org.id,
      role: 'OWNER' as const,
      userId: owner.id,
      audit: { type: 'USER' as const, id: owner.id },
    };
    // The receiver is on 127.0.0.1: allowed as an operator would (ALERT_ALLOW_PRIVATE_TARGETS).
    const localTargets = targetPolicySchema.parse('127.0.0.1');
    const hook = await createChannel(
      deps.prisma,
      actor,
      SECRET,
      { kind: 'WEBHOOK', name: 'hook', url: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook` },
      { policy: localTargets },
    );
    await createAlertRule(deps.prisma, actor, {
      name: 'new crashes',
      appId: app.app.id,
      kind: 'NEW_CRASH_GROUP',
      channelIds: [hook.channel.id],
    });

    const prefix = `${deps.namespace}-bull`;
    const alerts = await startAlerts({
      prisma: deps.prisma,
      connection: { url: redis.url },
      prefix,
      log,
      appSecret: SECRET,
      mailer: deps.mailer,
      webUrl: 'http://portal.test',
      webhooks: { policy: localTargets },
      // Long enough that the retry is still waiting when Redis goes down on a slow machine.
      backoffMs: 20_000,
      sweepEveryMs: 0,
    });
    cleanups.push(() => alerts.close());
    const alertQueue = new Queue(QUEUES.alerts, { connection: { url: redis.url }, prefix });
    alertQueue.on('error', () => undefined);
    cleanups.push(() => alertQueue.close());

    // A worker groups a crash; its alert fails once and waits for the retry.
    const writerRedis = new Redis(redis.url, { maxRetriesPerRequest: null });
    writerRedis.on('error', () => undefined);
    cleanups.push(() => Promise.resolve(writerRedis.disconnect()));
    const writerOptions = {
      pool: deps.pool,
      redis: writerRedis,
      log,
      namespace: deps.namespace,
      batchEntries: 5,
      claimIdleMs: 500,
      onGrouped: alerts.onGrouped,
    };
    const first = startIngestWriters(writerOptions);
    const crash = await api.inject({
      method: 'POST',
      url: '/v1/telemetry/crash',
      headers: { authorization: `Bearer ${app.ingestKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ device_id: 'd', crash: { type: 'Error', message: 'checkout failed' } }),
    });
    expect(crash.statusCode).toBe(202);
    await until(async () => ((await alertQueue.getDelayedCount()) === 1 ? true : undefined), 60);
    expect(hooks).toHaveLength(1);
    // That worker stops; events pile up in the buffer until the next one starts.
    await first.close();

    const load = startLoad(api, app.ingestKey);
    cleanups.push(() => load.stop());
    const answers = () => JSON.stringify(Object.fromEntries(load.statuses));
    await until(() => Promise.resolve(load.acked.size >= 2_000 ? true : undefined), 120).catch(() => {
      throw new Error(`load did not get 2,000 events acknowledged; answers: ${answers()} ${load.unexpected.join()}`);
    });
    const writers = startIngestWriters(writerOptions);
    cleanups.push(() => writers.close());
    const stored = async () =>
      (await deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE app_id = $1', [app.app.id]))
        .rows[0]!.n;
    await until(async () => ((await stored()) > 0 ? true : undefined), 60);
    await flushUsageCounters(deps.pool, deps.redis, deps.namespace);
    const counters = usageKeys(deps.namespace, org.id, Date.now());
    const acceptedBefore = Number(await deps.redis.get(counters.accepted));
    const backlogBefore = load.acked.size - (await stored());
    expect(backlogBefore).toBeGreaterThan(0);
    expect(await alertQueue.getDelayedCount()).toBe(1);

    // Mid-load and mid-backlog, with the delivery in its backoff.
    await redis.shutdown();
    const batchesWhileDown = load.batches();
    await until(() => Promise.resolve(load.batches() >= batchesWhileDown + 4 ? true : undefined), 60);
    await redis.start();
    const batchesAfter = load.batches();
    const ackedAfterRestart = load.acked.size;
    await until(
      () =>
        Promise.resolve(load.batches() >= batchesAfter + 40 && load.acked.size > ackedAfterRestart ? true : undefined),
      120,
    );
    await load.stop();
    expect(load.unexpected).toEqual([]);

    // Soft assertions from here on: a failure still reports the counters and the alert.
    // Every acknowledged event stored exactly once. (A request Redis took just as it shut
    // down may be stored without its 202 having arrived: that is allowed, not a loss.)
    const storedIds = async () =>
      (await deps.pool.query<{ id: string }>('SELECT id FROM events WHERE app_id = $1', [app.app.id])).rows.map(
        (row) => row.id,
      );
    const missing = (ids: string[]) => {
      const have = new Set(ids);
      return [...load.acked].filter((id) => !have.has(id));
    };
    const ids = await until(async () => {
      const now = await storedIds();
      return missing(now).length === 0 ? now : undefined;
    }, 120).catch(() => storedIds());
    expect.soft(missing(ids).length, `acknowledged events lost, of ${load.acked.size}`).toBe(0);
    expect.soft(new Set(ids).size, 'events stored twice').toBe(ids.length);

    // The month's counter kept counting from where it was: it equals what was stored.
    await flushUsageCounters(deps.pool, deps.redis, deps.namespace);
    const acceptedAfter = Number(await deps.redis.get(counters.accepted));
    expect.soft(acceptedAfter).toBeGreaterThanOrEqual(acceptedBefore);
    expect.soft(acceptedAfter).toBe(ids.length);
    const usage = await deps.prisma.usageCounter.findMany({ where: { orgId: org.id } });
    expect.soft(usage.map((u) => Number(u.eventsAccepted))).toEqual([ids.length]);

    // The delivery that was waiting for its retry was sent after the restart.
    const sent = await until(async () => {
      const delivery = await deps.prisma.notificationDelivery.findFirst({ where: { orgId: org.id } });
      return delivery?.status === 'SENT' ? delivery : undefined;
    }, 90).catch(() => undefined);
    expect.soft(sent?.status, 'the delivery in retry was not sent after the restart').toBe('SENT');
    expect.soft(hooks).toHaveLength(2);

    // And /readyz?detail=1 sees a durable Redis.
    const ready = await api.inject({ method: 'GET', url: '/readyz?detail=1', headers: operatorHeaders });
    expect(ready.json()).toMatchObject({
      status: 'ready',
      redis: { appendonly: 'yes', appendfsync: 'everysec', maxmemoryPolicy: 'noeviction', warnings: [] },
    });
  }, 420_000);
});
