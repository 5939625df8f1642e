import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@sightline/core/testing';
import { createEmptyTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../../../scripts/build-services.mjs';

// `sightline serve` end to end on real PostgreSQL and Redis, from the api and worker bundles
// (the test builds them once; serve itself never builds): it refuses an unmigrated database,
// migrates with --migrate, brings api and worker up, restarts a killed api, keeps every
// output line one JSON object naming its process, and stops everything on SIGTERM.
// The portal is left out (--only api,worker): its `next build` alone takes minutes here; the
// npm start test runs the same supervisor with the portal.

const CLI = fileURLToPath(new URL('../../bin/sightline.mjs', import.meta.url));
const [API_PORT, WORKER_PORT] = (await freePorts(2)) as [number, number];
let db: TestDatabase;
let serve: ChildProcess | undefined;

beforeAll(async () => {
  await buildServices(['api', 'worker']);
  db = await createEmptyTestDatabase('sightline_serve');
}, 120_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve?.once('exit', resolve));
    serve.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    serve.kill('SIGKILL');
  }
  await db?.drop();
});

const env = () => ({
  ...process.env,
  DATABASE_URL: db.url,
  PORT: String(API_PORT),
  HOST: '127.0.0.1',
  WORKER_METRICS_PORT: String(WORKER_PORT),
  SIGHTLINE_SECRET: randomBytes(32).toString('hex'),
  REDIS_PREFIX: `serve-${randomBytes(4).toString('hex')}`,
  LOG_LEVEL: 'info',
});

async function poll<T>(fn: () => Promise<T | undefined>, seconds: number): Promise<T | undefined> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

const readyz = (port: number) =>
  poll(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return res.status === 200 ? ((await res.json()) as object) : undefined;
  }, 120);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type Line = Record<string, unknown>;

describe('sightline serve', () => {
  it('refuses to start on pending migrations, naming `npx sightline migrate`', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--only', 'api,worker'], { env: env(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /database migration\(s\) pending .*run `npx sightline migrate` first, or start with `sightline serve --migrate`/,
    );
  }, 90_000);

  it('with --migrate runs api and worker, restarts a killed api, logs JSON lines with process, and stops on SIGTERM', async () => {
    let stdout = '';
    let stderr = '';
    serve = spawn(process.execPath, [CLI, 'serve', '--migrate', '--only', 'api,worker'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    serve.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    serve.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => serve?.once('exit', (code) => resolve(code)));
    const lines = () =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);
    const output = () => `${stdout}\n${stderr}`;
    const ready = { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } };

    expect(await readyz(API_PORT), output()).toEqual(ready);
    expect(await readyz(WORKER_PORT), output()).toEqual(ready);

    const started = (child: string) =>
      lines()
        .filter((l) => l.process === 'serve' && l.child === child && typeof l.pid === 'number')
        .map((l) => l.pid as number);
    const [apiPid] = started('api');
    const [workerPid] = started('worker');
    expect(apiPid, output()).toBeGreaterThan(0);
    process.kill(apiPid!, 'SIGKILL');
    const restarted = await poll(() => Promise.resolve(started('api').find((pid) => pid !== apiPid)), 30);
    expect(restarted, output()).toBeGreaterThan(0);
    expect(
      lines().some((l) => l.process === 'serve' && l.level === 40 && l.child === 'api' && l.signal === 'SIGKILL'),
    ).toBe(true);
    expect(await readyz(API_PORT), output()).toEqual(ready);
    // The worker was left alone.
    expect(started('worker')).toEqual([workerPid]);

    serve.kill('SIGTERM');
    expect(await exited, output()).toBe(0);
    expect([alive(restarted!), alive(workerPid!)]).toEqual([false, false]);

    // One JSON object per line, every one naming its process; the children's own pino lines
    // name themselves (SIGHTLINE_PROCESS), and serve's lines say what it did.
    const all = lines();
    expect(new Set(all.map((l) => l.process))).toEqual(new Set(['serve', 'api', 'worker']));
    expect(
      all.filter((l) => l.process === 'api' && typeof l.msg === 'string' && l.msg.startsWith('api listening')),
    ).toHaveLength(2);
    expect(all.some((l) => l.process === 'worker' && l.msg === 'worker connected to PostgreSQL and Redis')).toBe(true);
    expect(
      all.some((l) => l.process === 'serve' && typeof l.msg === 'string' && l.msg.startsWith('applied migration')),
    ).toBe(true);
    expect(all.at(-1)).toMatchObject({ process: 'serve', msg: 'all processes stopped' });
    for (const line of stderr.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('process');
  }, 240_000);
});
