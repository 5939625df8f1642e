import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { IngestBuffer } from '@sightline/core';

const CHECK_TIMEOUT_MS = 2_000;

/** 'ok', or what went wrong. */
async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** What `/readyz?detail=1` adds: the buffer's backlog and the newest dead letters (reasons only, no payloads). */
async function ingestDetail(redis: Redis, buffer: IngestBuffer) {
  const [events, crashes, dead, latest] = await Promise.all([
    redis.xlen(buffer.stream),
    redis.xlen(buffer.crashStream),
    redis.llen(buffer.deadLetters),
    redis.lrange(buffer.deadLetters, 0, 9),
  ]);
  return {
    backlog: { events, crashes },
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
  deps: { pool: pg.Pool; redis: Redis; ingest: { buffer: IngestBuffer } },
): void {
  // Liveness: the process answers. Never touches dependencies, so a database outage
  // does not get healthy api processes restarted.
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));

  // Readiness: PostgreSQL and Redis both answer. `?detail=1` adds the ingestion backlog and
  // the dead-letter list (entries the writers could not store, with the reason).
  app.get('/readyz', async (request, reply) => {
    const [postgres, redis] = await Promise.all([
      check(() => deps.pool.query('SELECT 1')),
      check(() => deps.redis.ping()),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    const body = { status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } };
    const detail = (request.query as { detail?: unknown }).detail;
    if (detail === undefined || detail === '0' || redis !== 'ok') return reply.status(ready ? 200 : 503).send(body);
    const ingest = await ingestDetail(deps.redis, deps.ingest.buffer).catch(() => undefined);
    return reply.status(ready ? 200 : 503).send({ ...body, ...(ingest ? { ingest } : {}) });
  });
}
