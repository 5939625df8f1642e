import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { buildServer } from '@sightline/api';
import { createTestServerDeps } from '@sightline/api/testing';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { createTestDatabase } from '@sightline/db/testing';
import { describe, expect, it } from 'vitest';
import { buildServices } from '../../../scripts/build-services.mjs';
import { NODE_FLAGS, RUNTIME_ENV } from '../../../scripts/runtime-flags.mjs';

// A backlog of the largest entries the api appends must not take the worker down: it runs
// as `npm start` runs it (the esbuild bundle, its bounded heap), against a stream the api
// filled while no worker ran. Reading 400 such entries per batch, as it once did, holds
// more than its whole heap at once; its batches must be bounded in bytes.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER_DIR = fileURLToPath(new URL('../../../apps/worker/', import.meta.url));

/** Events batches near the 1 MB body cap: 60 events of almost 16 KB of data each, in many small fields. */
const EVENT_BATCHES = 110;
const EVENTS_PER_BATCH = 60;
const CRASHES = 60;

function eventBatch(device: string) {
  const fields = Object.fromEntries(
    Array.from({ length: 190 }, (_, i) => [`field_${i}`, `value-${i}-`.padEnd(68, 'v')]),
  );
  return {
    device_id: device,
    events: Array.from({ length: EVENTS_PER_BATCH }, (_, i) => ({
      id: randomUUID(),
      type: 'feature_used',
      timestamp: Date.now() - 1000 + i,
      data: { feature_name: `f${i % 5}`, ...fields },
    })),
  };
}

/** A crash report at its maximum: context over its cap, 100 breadcrumbs of ~4 KB, a 256 KB stack, 250 frames. */
function bigCrash(n: number) {
  return {
    device_id: `crash-device-${n % 7}`,
    crash: {
      type: `BigError${n % 3}`,
      message: 'm'.repeat(8000),
      stack_trace: `BigError${n % 3}: boom\n` + `    at handler${n % 3} (/srv/app/handler.js:10:5)\n`.repeat(5500),
      frames: Array.from({ length: 250 }, (_, i) => ({
        function: `fn${i}`.padEnd(300, '_'),
        file: `/srv/app/${'d'.repeat(600)}/f${i}.js`,
        line: i + 1,
        column: 1,
        in_app: true,
      })),
      context: { state: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, 'c'.repeat(60)])) },
      breadcrumbs: Array.from({ length: 100 }, (_, i) => ({ message: `crumb ${i}`, data: { pad: 'b'.repeat(3900) } })),
    },
  };
}

describe('the bundled worker against a backlog of maximum-size entries', () => {
  it('stays up and stores everything', { timeout: 420_000 }, async () => {
    const db = await createTestDatabase();
    const deps = createTestServerDeps(db.url);
    const api = await buildServer(deps);
    let worker: ChildProcess | undefined;
    try {
      const org = await createTestOrg(deps.prisma);
      const app = await createTestApp(deps.prisma, org.org.id, {});
      const post = async (url: string, body: unknown) => {
        const res = await api.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${app.ingestKey}`, 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        expect(res.statusCode, res.body.slice(0, 300)).toBe(202);
      };
      for (let i = 0; i < EVENT_BATCHES; i++) await post('/v1/telemetry/events', eventBatch(`device-${i % 20}`));
      for (let i = 0; i < CRASHES; i++) await post('/v1/telemetry/crash', bigCrash(i));
      const entryBytes = async (stream: string) =>
        (await deps.redis.xrange(stream, '-', '+')).reduce((sum, [, f]) => sum + Buffer.byteLength(f[1] ?? ''), 0);
      // The backlog really is bigger than the worker's whole heap (96 MB), entries near 1 MB.
      expect(await entryBytes(deps.ingest.buffer.stream)).toBeGreaterThan(100 * 1024 * 1024);
      expect(await entryBytes(deps.ingest.buffer.crashStream)).toBeGreaterThan(45 * 1024 * 1024);

      await buildServices(['worker']);
      let stderr = '';
      let exited: string | undefined;
      worker = spawn(process.execPath, [...NODE_FLAGS.worker, 'dist/main.mjs'], {
        cwd: WORKER_DIR,
        env: {
          ...process.env,
          ...RUNTIME_ENV,
          DATABASE_URL: db.url,
          REDIS_URL,
          REDIS_PREFIX: deps.namespace,
          SIGHTLINE_SECRET: 'budget-test-secret-0123456789abcdef0123456789',
          WORKER_METRICS_PORT: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      worker.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      worker.once('exit', (code, signal) => {
        exited = `worker exited (code ${code}, signal ${signal}): ${stderr}`;
      });

      const count = async (table: 'events' | 'crash_reports') =>
        (
          await deps.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`, [
            app.app.id,
          ])
        ).rows[0]!.n;
      await until(async () => {
        if (exited) throw new Error(exited);
        const [events, crashes] = [await count('events'), await count('crash_reports')];
        if (events !== EVENT_BATCHES * EVENTS_PER_BATCH || crashes !== CRASHES) return undefined;
        // Drained: the writer removes entries after their rows commit, so wait for that too.
        const left =
          (await deps.redis.xlen(deps.ingest.buffer.stream)) + (await deps.redis.xlen(deps.ingest.buffer.crashStream));
        return left === 0 ? true : undefined;
      }, 360);
      expect(exited).toBeUndefined();
      // Stored exactly once each: nothing was written twice while the entries drained.
      expect([await count('events'), await count('crash_reports')]).toEqual([
        EVENT_BATCHES * EVENTS_PER_BATCH,
        CRASHES,
      ]);
    } finally {
      worker?.kill('SIGKILL');
      await api.close();
      await deps.close();
      await db.drop();
    }
  });
});
