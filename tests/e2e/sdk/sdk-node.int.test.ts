import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { fastifyRequests, init, requestHandler } from '@sightline/sdk/node';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@sightline/core/testing';
import { startIngestStack } from '../support/ingest-stack.ts';

// @sightline/sdk/node against the real api and writers: a Node app that dies of an uncaught
// exception still gets its crash reported (unhandled; grouped, twice → one group), an error
// reported by hand is a handled one, and the request middleware reports routes, statuses and durations.

const APP = fileURLToPath(new URL('../fixtures/sdk-crashing-app.ts', import.meta.url));
// The fixture resolves @sightline/sdk and tsx from this workspace, as an app would from its own.
const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let endpoint: string;

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-node');
  endpoint = await stack.listen();
});

afterAll(async () => {
  await stack?.close();
});

function runCrashingApp(): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', APP], {
      cwd: E2E_DIR,
      env: { ...process.env, SIGHTLINE_KEY: stack.app.ingestKey, SIGHTLINE_ENDPOINT: endpoint },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('@sightline/sdk/node', () => {
  it('reports an uncaught exception before the process dies, and groups the same bug once', async () => {
    const first = await runCrashingApp();
    expect(first.code).toBe(1); // it still dies, as it would without the SDK
    expect(first.stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'length'\)/);
    await runCrashingApp();

    const appId = stack.app.app.id;
    const reports = await until(async () => {
      const rows = await stack.deps.prisma.crashReport.findMany({ where: { appId } });
      return rows.length >= 2 ? rows : undefined;
    }, 20);
    // Uncaught: crashes (unhandled), not handled errors.
    expect(reports.map((r) => [r.crashType, r.level, r.handled, r.appVersion])).toEqual([
      ['TypeError', 'fatal', false, '3.1.0'],
      ['TypeError', 'fatal', false, '3.1.0'],
    ]);
    expect(reports[0]!.context).toMatchObject({
      origin: 'uncaughtException',
      runtime: expect.stringMatching(/^node v/) as string,
    });
    const groups = await stack.deps.prisma.crashGroup.findMany({ where: { appId } });
    expect(groups).toHaveLength(1);
    expect(groups[0]!.unhandledCount).toBe(2n);
    expect(groups[0]!.sampleStackTrace).toContain('sdk-crashing-app.ts');
    // Two installs (no store path): two devices; each also said it started.
    expect(new Set(reports.map((r) => r.deviceId)).size).toBe(2);
    await until(async () =>
      (await stack.deps.prisma.event.count({ where: { appId, type: 'app_start' } })) === 2 ? true : undefined,
    );
  });

  it('reports each request with its route, status, duration and sizes (http and Fastify)', async () => {
    const client = init({ key: stack.app.ingestKey, endpoint, captureUncaught: false, flushInterval: 600_000 });
    const track = requestHandler(client);
    const server = createServer((req, res) => {
      track(req, res);
      res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
      res.setHeader('content-length', '2');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await fetch(`${base}/users/42`);
    await fetch(`${base}/users/43?tab=orders`);
    await fetch(`${base}/missing/page`);
    await fetch(`${base}/orders`, { method: 'POST', body: JSON.stringify({ sku: 'A-1' }) });
    server.close();

    const fastify = Fastify();
    fastifyRequests(client)(fastify);
    fastify.get('/items/:itemId', () => ({ ok: true }));
    await fastify.inject({ method: 'GET', url: '/items/9' });
    await fastify.close();
    // An error the app caught and reported itself: a handled error, not a crash.
    client.captureError(new RangeError('stock below zero'));
    await client.flush();

    const appId = stack.app.app.id;
    const requests = await until(async () => {
      const rows = await stack.deps.prisma.event.findMany({ where: { appId, type: 'http_request' } });
      return rows.length >= 5 ? rows : undefined;
    }, 20);
    const seen = requests.map((r) => {
      const data = r.data as { method: string; status: number; request_size?: number; response_size?: number };
      return [data.method, r.name, data.status, data.request_size ?? null, data.response_size ?? null];
    });
    expect(seen.sort()).toEqual(
      [
        ['GET', '/items/:itemId', 200, null, 11],
        ['GET', '/missing/page', 404, null, 2],
        ['GET', '/users/:id', 200, null, 2],
        ['GET', '/users/:id', 200, null, 2],
        ['POST', '/orders', 200, 13, 2],
      ].sort(),
    );
    expect(requests.every((r) => typeof r.value === 'number' && r.value >= 0)).toBe(true); // duration_ms
    const caught = await until(
      () =>
        stack.deps.prisma.crashReport
          .findFirst({ where: { appId, message: 'stock below zero' } })
          .then((r) => r ?? undefined),
      20,
    );
    expect([caught.crashType, caught.level, caught.handled]).toEqual(['RangeError', 'error', true]);
  });
});
