import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { backlogBytesKey, inspectRedisPersistence, readiness, type IngestBuffer } from '@sightline/core';
import { allowOperator } from './operator-access.ts';

/** What `/readyz?detail=1` adds: the buffer's backlog and the newest dead letters (reasons only, no payloads). */
async function ingestDetail(redis: Redis, buffer: IngestBuffer) {
  const [events, crashes, eventBytes, crashBytes, dead, latest] = await Promise.all([
    redis.xlen(buffer.stream),
    redis.xlen(buffer.crashStream),
    redis.get(backlogBytesKey(buffer.stream)),
    redis.get(backlogBytesKey(buffer.crashStream)),
    redis.llen(buffer.deadLetters),
    redis.lrange(buffer.deadLetters, 0, 9),
  ]);
  return {
    backlog: {
      events,
      crashes,
      // Payload bytes not yet stored, against the budget past which ingestion answers 503.
      bytes: Math.max(0, Number(eventBytes ?? 0)) + Math.max(0, Number(crashBytes ?? 0)),
      maxBytes: buffer.maxBacklogBytes,
    },
    deadLetters: {
      count: dead,
      latest: latest.map((raw) => {
        try {
          const { stream, id, kind, reason, at } = JSON.parse(raw) as Record<string, unknown>;
          return { stream, id, kind, reason, at };
        } catch {
          return { reason: 'unreadable dead letter' };
        }
      }),
    },
  };
}

export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { pool: pg.Pool; redis: Redis; ingest: { buffer: IngestBuffer }; metricsToken?: string | undefined },
): void {
  // Liveness: the process answers. Never touches dependencies, so a database outage
  // does not get healthy api processes restarted.
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  // Readiness: PostgreSQL and Redis both answer. `?detail=1` adds the ingestion backlog, the
  // dead-letter list (entries the writers could not store, with the reason) and whether Redis
  // keeps its data across a restart and never evicts; it is the operator's (operator-access.ts).
  app.get('/readyz', async (request, reply) => {
    const detail = (request.query as { detail?: unknown }).detail;
    const detailed = detail !== undefined && detail !== '0';
    if (detailed && !allowOperator(deps.metricsToken, request, reply)) return reply;
    const { status, body } = await readiness({
      postgres: () => deps.pool.query('SELECT 1'),
      redis: () => deps.redis.ping(),
    });
    const ready = status === 200;
    if (!detailed || body.checks.redis !== 'ok') return reply.status(status).send(body);
    // Redis persistence is read each time: an operator's CONFIG SET shows without a restart.
    // Not ready-failing (Redis works), but what a restart or a full Redis would lose is visible.
    const [ingest, persistence] = await Promise.all([
      ingestDetail(deps.redis, deps.ingest.buffer).catch(() => undefined),
      inspectRedisPersistence(deps.redis).catch(() => undefined),
    ]);
    return reply.status(ready ? 200 : 503).send({
      ...body,
      ...(ingest ? { ingest } : {}),
      ...(persistence ? { redis: persistence } : {}),
    });
  });
}
