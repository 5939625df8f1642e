import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, startNginx, type TestNginx } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal, DIST_DIR, portalServer } from './harness';

// The address the portal hands the api (signed) for sign-in limits, with the portal's real
// server (next-server.mjs) and a real nginx. The "api" here only records what the portal sent.
const webDir = fileURLToPath(new URL('../../../apps/web/', import.meta.url));
const SECRET = 'portal-proxy-test-secret-'.padEnd(48, 'q');
const LOAD_BALANCER = '198.51.100.1';

let recorder: Server;
const seen: IncomingHttpHeaders[] = [];
const running: Array<{ web: ChildProcess; exited: Promise<void> }> = [];
const proxies: TestNginx[] = [];

beforeAll(async () => {
  recorder = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  await buildPortal();
}, 15 * 60_000);

afterAll(async () => {
  for (const nginx of proxies) await nginx.stop();
  for (const { web, exited } of running) {
    web.kill('SIGTERM');
    await exited;
  }
  await new Promise((resolve) => recorder.close(resolve));
});

async function startPortal(trustProxy: string | undefined): Promise<{ url: string; port: number }> {
  const port = await freePort();
  const web = spawn(process.execPath, [portalServer, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: {
      ...process.env,
      NEXT_DIST_DIR: DIST_DIR,
      NEXT_TELEMETRY_DISABLED: '1',
      API_URL: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`,
      SIGHTLINE_SECRET: SECRET,
      TRUST_PROXY: trustProxy ?? '',
    },
  });
  let output = '';
  web.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  web.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  running.push({ web, exited: new Promise((resolve) => web.once('exit', () => resolve())) });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, port };
    if (web.exitCode !== null || i > 240) throw new Error(`the portal did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The address the portal vouched for to the api, for one tRPC call with these headers. */
async function addressSentToApi(base: string, headers: Record<string, string>): Promise<unknown> {
  const before = seen.length;
  const res = await fetch(`${base}/api/trpc/auth.me`, { headers });
  expect(res.status).toBe(200);
  expect(seen.length).toBe(before + 1);
  return seen[before]?.['x-sightline-client-ip'];
}

describe("the portal's client address", () => {
  it('is the socket peer without TRUST_PROXY: forged X-Forwarded-For and peer headers are ignored', async () => {
    const portal = await startPortal(undefined);
    const forged = { 'x-forwarded-for': '203.0.113.66', 'x-real-ip': '203.0.113.67' };
    expect(await addressSentToApi(portal.url, forged)).toBe('127.0.0.1');
    expect(await addressSentToApi(portal.url, { ...forged, 'x-sightline-peer-address': '203.0.113.68' })).toBe(
      '127.0.0.1',
    );
  });

  it('behind nginx named in TRUST_PROXY, is the right-most untrusted address, not the left-most', async () => {
    const portal = await startPortal(`127.0.0.1,${LOAD_BALANCER}`);
    const nginx = await startNginx(portal.port);
    proxies.push(nginx);
    const forwardedFor = `10.66.66.66, 203.0.113.7, ${LOAD_BALANCER}`;
    expect(await addressSentToApi(nginx.url, { 'x-forwarded-for': forwardedFor })).toBe('203.0.113.7');
  });
});
