import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from '@sightline/api';
import { createLogger, createSmtpMailer } from '@sightline/core';
import { CHROMIUM, createTestApp, createTestOrg, freePort } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { inject } from 'vitest';
import { createTestServerDeps } from '@sightline/api/testing';
import { startIngestWriters } from '@sightline/worker';
import { Redis } from 'ioredis';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Provided by the test run's global setup (packages/db/src/testing/global-setup.ts). */
    testRunId: string;
  }
}

const webDir = fileURLToPath(new URL('../../../apps/web/', import.meta.url));
const nextBin = fileURLToPath(new URL('../../../node_modules/next/dist/bin/next', import.meta.url));
/** The portal's server (`next start` plus the socket's peer address, for TRUST_PROXY). */
export const portalServer = fileURLToPath(new URL('../../../apps/web/next-server.mjs', import.meta.url));
// Its own build directory, so this test never races `npm start`'s build in .next/.
export const DIST_DIR = '.next-e2e';

/** `next build` into DIST_DIR, without blocking this process's event loop. */
async function runNextBuild(): Promise<void> {
  const build = spawn(process.execPath, [nextBin, 'build'], {
    cwd: webDir,
    env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
  });
  let output = '';
  build.stdout.on('data', (d: Buffer) => (output += d.toString()));
  build.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => build.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed:\n${output}`);
}

/**
 * Builds the portal once per test run, however many e2e files start a stack at once: the
 * first takes a lock directory and builds, the others wait for it and reuse the build.
 */
export async function buildPortal(): Promise<void> {
  const runId = inject('testRunId');
  const lock = join(webDir, `${DIST_DIR}.lock`);
  const stamp = join(webDir, DIST_DIR, 'sightline-test-run');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 10 * 60_000) await rm(lock, { recursive: true, force: true }); // left by a killed run
      if (Date.now() > deadline) throw new Error(`waited 15 min for another portal build (${lock})`, { cause: error });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if ((await readFile(stamp, 'utf8').catch(() => '')) === runId) return;
    await runNextBuild();
    await writeFile(stamp, runId);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export interface Mail {
  to: string[];
  /** The message with quoted-printable soft line breaks undone, so links are whole. */
  text: string;
}

async function waitForHttp(url: string, seconds: number, output: () => string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${seconds} s\n${output()}`);
}

/** Everything a new user would meet: api, portal (built and started), SMTP server, Chromium. */
export interface Stack {
  webUrl: string;
  apiUrl: string;
  mails: Mail[];
  browser: Browser;
  db: TestDatabase;
  deps: ReturnType<typeof createTestServerDeps>;
  /** The Sightline app the portal reports its own usage and errors to (self-monitoring); null when off. */
  monitoring: { appId: number } | null;
  /** Another portal process against the same api, with extra environment (e.g. other `TRUST_PROXY` settings); stopped with the stack. */
  startWeb(extraEnv: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * Self-monitoring creates an organization with an owner first; off, the installation starts
   * empty (no users), as a newcomer's does.
   */
  selfMonitoring?: boolean;
}

/** Starts the built portal on a free port; resolves with its URL once /healthz answers. */
async function startWebProcess(env: NodeJS.ProcessEnv): Promise<{ url: string; process: ChildProcess }> {
  const webPort = await freePort();
  let output = '';
  const web: ChildProcess = spawn(process.execPath, [portalServer, '-p', String(webPort), '-H', '127.0.0.1'], {
    cwd: webDir,
    env: { ...env, PORT: String(webPort) },
  });
  web.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  web.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${webPort}`;
  await waitForHttp(`${url}/healthz`, 60, () => output);
  return { url, process: web };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const mails: Mail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          text: raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  await buildPortal();
  const db = await createTestDatabase();
  const deps = createTestServerDeps(
    db.url,
    createSmtpMailer(`smtp://127.0.0.1:${smtpPort}`, 'Sightline <no-reply@sightline.test>'),
    // The setup page's script tag loads the SDK from this api, as a newcomer's page does.
    { serveSdk: true },
  );
  const api: FastifyInstance = await buildServer(deps);
  await api.listen({ port: 0, host: '127.0.0.1' });
  const apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  // Links the api hands out (DSNs, export downloads) point at this api.
  deps.publicApiUrl = apiUrl;
  // Self-monitoring, as an operator would set it up: an app of its own, and the worker's
  // writers so what the portal reports lands in PostgreSQL.
  const monitoringOrg =
    options.selfMonitoring === false ? null : await createTestOrg(deps.prisma, { name: 'Sightline operations' });
  const monitoring = monitoringOrg
    ? await createTestApp(deps.prisma, monitoringOrg.org.id, { bundleId: 'sightline.portal' })
    : null;
  const writerRedis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const writers = startIngestWriters({
    pool: deps.pool,
    redis: writerRedis,
    log: createLogger('e2e-writers', 'silent'),
    namespace: deps.namespace,
    claimIdleMs: 500,
  });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: '1',
    API_URL: apiUrl,
    SIGHTLINE_SECRET: deps.secret,
    ...(monitoring ? { PORTAL_SIGHTLINE_KEY: monitoring.ingestKey, PORTAL_SIGHTLINE_ENDPOINT: apiUrl } : {}),
  };
  const webs: ChildProcess[] = [];
  const web = await startWebProcess(env);
  webs.push(web.process);
  const webUrl = web.url;
  // Links in emails point at the portal.
  deps.webUrl = webUrl;

  const browser = await chromium.launch(CHROMIUM);

  return {
    webUrl,
    apiUrl,
    mails,
    browser,
    db,
    deps,
    monitoring: monitoring ? { appId: monitoring.app.id } : null,
    async startWeb(extraEnv) {
      const extra = await startWebProcess({ ...env, ...extraEnv });
      webs.push(extra.process);
      return extra.url;
    },
    async stop() {
      await browser.close().catch(() => undefined);
      for (const w of webs) w.kill('SIGTERM');
      await writers.close();
      writerRedis.disconnect();
      await api.close();
      await deps.close();
      await db.drop();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}

/** Waits for a mail to `to` whose text matches `pattern`; returns the first capture group. */
export async function waitForMail(mails: Mail[], to: string, pattern: RegExp, seconds = 15): Promise<string> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    for (const mail of mails) {
      const match = mail.to.includes(to) ? pattern.exec(mail.text) : null;
      if (match?.[1]) return match[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${pattern} (got ${mails.length} mails)`);
}

export const uniqueEmail = (name: string): string => `${name}.${randomBytes(3).toString('hex')}@example.test`;
