// npm run bench:ingest [-- --seconds 20 --runs 3 --connections 32]   (BENCH_CPU_PROF=<dir> to profile)
//
// End-to-end ingestion on this machine: a load generator (undici), the api and the worker as
// separate processes, Redis and PostgreSQL. Throughput counts events that were acknowledged
// AND committed to PostgreSQL. Printed beside the raw COPY ceiling of the same database in
// the same run. Phases: batches of 50 (plain, gzip), single-event requests, and a paced
// 20,000 events/s run for acknowledgment latency. Peak RSS of api and worker is sampled
// from /proc. Medians over runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createTestApp, createTestOrg, freePort } from '@sightline/core/testing';
import { createPool, createPrismaClient } from '@sightline/db';
import {
  encodeEventRow,
  ensureEventPartitions,
  dayIndexOf,
  EVENT_COLUMNS,
  type EventRow,
} from '@sightline/db/event-store';
import { createTestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Pool } from 'undici';
import { buildServices } from '../../../scripts/build-services.mjs';
import { NODE_FLAGS, RUNTIME_ENV } from '../../../scripts/runtime-flags.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    runs: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
  },
});
const SECONDS = Number(values.seconds);
const RUNS = Number(values.runs);
const CONNECTIONS = Number(values.connections);
const root = fileURLToPath(new URL('../../..', import.meta.url));
// BENCH_CPU_PROF=<dir>: the api and the worker write V8 CPU profiles there when they stop.
const PROFILE = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

const TYPES = [
  () => ({
    type: 'screen_view',
    data: { screen_name: ['home', 'cart', 'profile', 'search'][Math.floor(Math.random() * 4)] },
  }),
  () => ({ type: 'button_click', data: { element_id: `btn-${Math.floor(Math.random() * 40)}` } }),
  () => ({
    type: 'page_view',
    data: { path: `/products/${Math.floor(Math.random() * 500)}`, referrer: 'https://www.google.com/' },
  }),
  () => ({
    type: 'web_vital',
    data: { name: 'LCP', value: Math.round(800 + Math.random() * 3000), rating: 'good', page: '/checkout' },
  }),
  () => ({
    type: 'http_request',
    data: {
      method: 'GET',
      path: '/api/cart',
      status: 200,
      duration_ms: Math.round(Math.random() * 300),
      response_size: 5120,
    },
  }),
  () => ({ type: 'perf_frame', data: { avg_ms: 16.4, p95_ms: 31.2 } }),
  () => ({ type: 'feature_used', data: { feature_name: 'dark_mode' } }),
];

function body(events: number, device: number): string {
  const now = Date.now();
  return JSON.stringify({
    app_version: '2.4.1',
    device_id: `bench-device-${device}`,
    session_id: `bench-session-${device}`,
    os: 'Android',
    os_version: '14',
    device_model: 'Pixel 8',
    events: Array.from({ length: events }, (_, i) => ({
      ...TYPES[(device + i) % TYPES.length]!(),
      timestamp: now - (events - i) * 100,
    })),
  });
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

async function committed(pool: pg.Pool): Promise<number> {
  return Number(
    (await pool.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE device_id <> 'copy'")).rows[0]?.n ?? 0,
  );
}

/** Raw COPY ceiling: pre-encoded rows of the same shape straight into `events`. */
async function copyCeiling(pool: pg.Pool, orgId: string, appId: number, rows: number): Promise<number> {
  const now = Date.now();
  await ensureEventPartitions(pool, [dayIndexOf(now), dayIndexOf(now - 86_400_000)]);
  const encoded: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row: EventRow = {
      orgId,
      appId,
      id: randomUUID(),
      occurredAt: now - (i % 3_600_000),
      receivedAt: now,
      type: 'screen_view',
      name: 'home',
      deviceId: 'copy',
      sessionId: `s-${i % 5000}`,
      appVersion: '2.4.1',
      os: 'Android',
      osVersion: '14',
      browser: null,
      deviceModel: 'Pixel 8',
      country: 'DE',
      value: null,
      data: '{"screen_name":"home"}',
    };
    encoded.push(encodeEventRow(row));
  }
  const client = await pool.connect();
  const started = performance.now();
  try {
    for (let i = 0; i < encoded.length; i += 20_000) {
      await client.query('BEGIN');
      await pipeline(
        Readable.from([encoded.slice(i, i + 20_000).join('')]),
        client.query(copyFrom(`COPY events (${EVENT_COLUMNS.join(', ')}) FROM STDIN`)),
      );
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  return rows / ((performance.now() - started) / 1000);
}

interface Load {
  acked: number;
  requests: number;
  errors: Record<string, number>;
  latencies: number[];
}

/** Sends bodies for `seconds`; with `perSecond`, paces requests instead of going flat out. */
async function load(
  url: string,
  key: string,
  bodies: Array<string | Buffer>,
  eventsPerBody: number,
  seconds: number,
  gzip: boolean,
  perSecond?: number,
): Promise<Load> {
  const client = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const result: Load = { acked: 0, requests: 0, errors: {}, latencies: [] };
  const headers = {
    authorization: `Bearer ${key}`,
    'content-type': 'application/json',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      if (perSecond) {
        const due = started + (next++ / perSecond) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= deadline) return;
      }
      const payload = bodies[result.requests % bodies.length]!;
      const t0 = performance.now();
      try {
        const res = await client.request({ path: '/v1/telemetry/events', method: 'POST', headers, body: payload });
        await res.body.dump();
        result.requests++;
        if (res.statusCode === 202) {
          result.acked += eventsPerBody;
          result.latencies.push(performance.now() - t0);
        } else result.errors[res.statusCode] = (result.errors[res.statusCode] ?? 0) + 1;
      } catch (error) {
        result.errors[(error as Error).name] = (result.errors[(error as Error).name] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await client.close();
  return result;
}

async function drain(pool: pg.Pool, target: number, timeoutS = 300): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  while ((await committed(pool)) < target) {
    if (Date.now() > deadline) throw new Error(`writer did not commit ${target} events within ${timeoutS} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  console.log('bench: preparing database');
  const db = await createTestDatabase();
  const pool = createPool({ connectionString: db.url, max: 4 });
  const prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  const { org } = await createTestOrg(prisma);
  await prisma.organization.update({ where: { id: org.id }, data: { monthlyEventQuota: 1e12 } });
  const app = await createTestApp(prisma, org.id);
  const port = await freePort();
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: String(port),
    SIGHTLINE_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: prefix,
    INGEST_KEY_RPM: '100000000',
    INGEST_DEVICE_RPM: '100000000',
    INGEST_IP_RPM: '100000000',
    WORKER_METRICS_PORT: '0',
    ...RUNTIME_ENV,
  };
  const start = (dir: 'apps/api' | 'apps/worker'): ChildProcess =>
    spawn(process.execPath, [...NODE_FLAGS[dir === 'apps/api' ? 'api' : 'worker'], ...PROFILE, 'dist/main.mjs'], {
      cwd: `${root}/${dir}`,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  await buildServices();
  const api = start('apps/api');
  const worker = start('apps/worker');
  const peak = { api: 0, worker: 0 };
  const sampler = setInterval(() => {
    peak.api = Math.max(peak.api, rssMb(api.pid));
    peak.worker = Math.max(peak.worker, rssMb(worker.pid));
  }, 250);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 250));
  }

  console.log('bench: api ready');
  const plain = Array.from({ length: 200 }, (_, i) => body(50, i));
  const zipped = plain.map((b) => gzipSync(b));
  const single = Array.from({ length: 2000 }, (_, i) => body(1, i));
  const figures: Record<string, number[]> = { copy: [], plain: [], gzip: [], single: [], p50: [], p99: [] };

  for (let run = 1; run <= RUNS; run++) {
    figures.copy!.push(await copyCeiling(pool, org.id, app.app.id, 300_000));
    console.log(`run ${run} raw COPY: ${Math.round(figures.copy!.at(-1)!)} rows/s`);
    for (const [name, bodies, per, gzip] of [
      ['plain', plain, 50, false],
      ['gzip', zipped, 50, true],
      ['single', single, 1, false],
    ] as const) {
      const before = await committed(pool);
      const t0 = performance.now();
      const res = await load(url, app.ingestKey, [...bodies], per, SECONDS, gzip);
      console.log(`run ${run} ${name}: ${res.acked} events acknowledged in ${SECONDS} s; waiting for the writer`);
      await drain(pool, before + res.acked);
      const rate = res.acked / ((performance.now() - t0) / 1000);
      figures[name]!.push(name === 'single' ? res.requests / ((performance.now() - t0) / 1000) : rate);
      console.log(
        `run ${run} ${name}: ${Math.round(rate)} events/s end to end (${res.requests} requests, errors ${JSON.stringify(res.errors)})`,
      );
    }
    const before = await committed(pool);
    const paced = await load(url, app.ingestKey, plain, 50, SECONDS, false, 400);
    await drain(pool, before + paced.acked);
    figures.p50!.push(percentile(paced.latencies, 50));
    figures.p99!.push(percentile(paced.latencies, 99));
    console.log(
      `run ${run} paced 20k/s: p50 ${percentile(paced.latencies, 50).toFixed(1)} ms, p99 ${percentile(paced.latencies, 99).toFixed(1)} ms, errors ${JSON.stringify(paced.errors)}`,
    );
  }
  clearInterval(sampler);
  const copy = median(figures.copy!);
  console.log('\nmedians over', RUNS, 'runs');
  console.log(`raw COPY ceiling        ${Math.round(copy)} events/s`);
  console.log(
    `batches of 50, plain    ${Math.round(median(figures.plain!))} events/s  (ratio ${(median(figures.plain!) / copy).toFixed(2)})`,
  );
  console.log(
    `batches of 50, gzip     ${Math.round(median(figures.gzip!))} events/s  (ratio ${(median(figures.gzip!) / copy).toFixed(2)})`,
  );
  console.log(`single-event requests   ${Math.round(median(figures.single!))} requests/s`);
  console.log(
    `ack latency at 20k ev/s p50 ${median(figures.p50!).toFixed(1)} ms, p99 ${median(figures.p99!).toFixed(1)} ms`,
  );
  console.log(`peak RSS                api ${Math.round(peak.api)} MB, worker ${Math.round(peak.worker)} MB`);
  api.kill('SIGTERM');
  worker.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await pool.end();
  await prisma.$disconnect();
  await db.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
