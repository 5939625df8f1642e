import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.ts';

// A redis-server of a test's own (free port, temp dir), started with the arguments the test
// names, so a test can SHUTDOWN and restart it without touching the shared Redis.

export interface OwnRedis {
  url: string;
  port: number;
  dir: string;
  /** Starts it (again) on the same port and dir; resolves once it answers PING (AOF loaded). */
  start(): Promise<void>;
  /** `SHUTDOWN` as an operator or a restart would send it; resolves once the process exited. */
  shutdown(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startOwnRedis(argsFor: (where: { port: number; dir: string }) => string[]): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sightline-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    const running = spawn('redis-server', argsFor({ port, dir }), { stdio: 'ignore' });
    child = running;
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let attempt = 0; ; attempt++) {
        if (running.exitCode !== null) throw new Error(`redis-server exited with code ${running.exitCode}`);
        try {
          if (probe.status !== 'ready') await probe.connect();
          // PING answers LOADING while the AOF is replayed.
          await probe.ping();
          return;
        } catch (error) {
          if (attempt > 400) throw error;
          probe.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      probe.disconnect();
    }
  };

  const shutdown = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    const admin = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    // The connection closes as the server goes down: that is the answer.
    await admin.call('SHUTDOWN').catch(() => undefined);
    admin.disconnect();
    await exited;
  };

  await start();
  return {
    url,
    port,
    dir,
    start,
    shutdown,
    async destroy() {
      const running = child;
      child = null;
      if (running && running.exitCode === null) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
