import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePorts, portOpen } from '@sightline/core/testing';
import { dropTestDatabase, serverUrl } from '@sightline/db/testing';
import { afterAll, describe, expect, it } from 'vitest';

// `npm start` end to end: a database that does not exist yet, its own ports, all three
// processes up, a killed api restarted by the supervisor, then Ctrl-C (SIGINT) stops them all.
const START = fileURLToPath(new URL('./start.mjs', import.meta.url));
const dbName = `sightline_start_${randomBytes(4).toString('hex')}_test`;
// Checked free, not guessed: a port another test's process holds would fail this one.
const [API_PORT, WEB_PORT] = (await freePorts(2)) as [number, number];

let child: ChildProcess | undefined;
let output = '';

afterAll(async () => {
  // Ctrl-C first, so start stops its children; SIGKILL alone would orphan them (and their
  // ports) after a failed assertion.
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
  child?.kill('SIGKILL');
  await dropTestDatabase(dbName);
});

async function poll<T>(fn: () => Promise<T | undefined>, seconds: number): Promise<T | undefined> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

/** Pids of start's children running `label` (api, worker or web), read from the process table. */
function children(label: 'api' | 'worker' | 'web'): number[] {
  const marker = { api: 'apps/api/dist/main.mjs', worker: 'apps/worker/dist/main.mjs', web: 'next' }[label];
  const table = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(child?.pid)], { encoding: 'utf8' }).stdout;
  return table
    .split('\n')
    .map((line) => /^\s*(\d+)\s(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2]!.includes(marker))
    .map((m) => Number(m[1]));
}

describe('npm start', () => {
  it('brings api, worker and web up, reports ready, restarts a killed api alone, and stops all three on Ctrl-C', async () => {
    child = spawn(process.execPath, [START], {
      env: {
        ...process.env,
        DATABASE_URL: serverUrl(dbName),
        PORT: String(API_PORT),
        WEB_PORT: String(WEB_PORT),
        SIGHTLINE_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    const ready = await poll(async () => {
      const res = await fetch(`http://127.0.0.1:${API_PORT}/readyz`);
      return res.status === 200 ? ((await res.json()) as object) : undefined;
    }, 300);
    expect(ready, output).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });

    const page = await poll(async () => {
      const res = await fetch(`http://127.0.0.1:${WEB_PORT}/`);
      return res.ok ? res.text() : undefined;
    }, 60);
    expect(page, output).toContain('Sightline');

    await poll(
      () => Promise.resolve(output.includes('worker connected to PostgreSQL and Redis') ? true : undefined),
      30,
    );
    // The URLs are printed once start has seen both ports open, which can come a moment after we did.
    await poll(() => Promise.resolve(output.includes(`http://localhost:${WEB_PORT}`) ? true : undefined), 30);
    expect(output).toContain('worker connected to PostgreSQL and Redis');
    expect(output).toContain(`http://localhost:${API_PORT}`);
    expect(output).toContain(`http://localhost:${WEB_PORT}`);

    // A crashed api (kill -9, as the OOM killer does) comes back by itself; the worker and
    // the portal keep running meanwhile.
    const [apiPid] = children('api');
    const [workerPid] = children('worker');
    const [webPid] = children('web');
    expect([apiPid, workerPid, webPid].every(Boolean), output).toBe(true);
    process.kill(apiPid!, 'SIGKILL');
    const restarted = await poll(async () => {
      const pids = children('api');
      if (pids.length !== 1 || pids[0] === apiPid) return undefined;
      const res = await fetch(`http://127.0.0.1:${API_PORT}/healthz`);
      return res.status === 200 ? pids[0] : undefined;
    }, 120);
    expect(restarted, output).toBeGreaterThan(0);
    expect(output).toContain('api exited (SIGKILL); restarting it in 1 s');
    expect(children('worker')).toEqual([workerPid]);
    expect(children('web')).toEqual([webPid]);
    expect((await fetch(`http://127.0.0.1:${WEB_PORT}/`)).ok).toBe(true);

    child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code, output).toBe(0);
    expect(await portOpen(API_PORT)).toBe(false);
    expect(await portOpen(WEB_PORT)).toBe(false);
  }, 420_000);

  it('stops at once with a message naming a bad variable', async () => {
    const run = spawn(process.execPath, [START], {
      env: { ...process.env, DATABASE_URL: 'not a url', SIGHTLINE_SECRET: 'x'.repeat(32) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    run.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    expect(code).toBe(1);
    expect(text).toContain('DATABASE_URL is not a URL');
  });
});
