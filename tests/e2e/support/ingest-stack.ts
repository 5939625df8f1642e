import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildServer } from '@sightline/api';
import { createTestServerDeps } from '@sightline/api/testing';
import { createLogger } from '@sightline/core';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase } from '@sightline/db/testing';
import { startIngestWriters } from '@sightline/worker';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';

/**
 * What ingestion tests run against: a fresh database, the api, the worker's writers on the
 * api's Redis namespace, and an org with one app.
 */
export async function startIngestStack(bundleId: string, serverOptions?: Parameters<typeof createTestServerDeps>[2]) {
  const db = await createTestDatabase();
  const deps = createTestServerDeps(db.url, undefined, serverOptions);
  const stack = {
    db,
    deps,
    api: await buildServer(deps),
    writerRedis: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null }),
  };
  const writers = startIngestWriters({
    pool: deps.pool,
    redis: stack.writerRedis,
    log: createLogger('writer-test', 'silent'),
    namespace: deps.namespace,
    claimIdleMs: 500,
  });
  const org = await createTestOrg(deps.prisma);
  const app = await createTestApp(deps.prisma, org.org.id, { bundleId });
  const salt = (await deps.prisma.app.findUniqueOrThrow({ where: { id: app.app.id } })).deviceIdSalt;
  return {
    ...stack,
    writers,
    org,
    app,
    salt,
    /** Serves the api over real HTTP (for clients such as the SDK); returns its URL. */
    async listen(): Promise<string> {
      await stack.api.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(stack.api.server.address() as AddressInfo).port}`;
    },
    async close(api: FastifyInstance = stack.api) {
      await writers.close();
      stack.writerRedis.disconnect();
      await api.close();
      await deps.close();
      await db.drop();
    },
  };
}

const WORKER_DIR = fileURLToPath(new URL('../../../apps/worker/', import.meta.url));

/** The worker as its own process (src/main.ts), for tests that kill it; `env` adds to the test's environment. */
export function spawnWorker(env: Record<string, string>, verbose = false): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: WORKER_DIR,
    env: { ...process.env, WORKER_METRICS_PORT: '0', LOG_LEVEL: verbose ? 'info' : 'error', ...env },
    stdio: verbose ? 'inherit' : 'ignore',
  });
}
