import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createTestApp, createTestOrg, freePort } from '@sightline/core/testing';
import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../../../scripts/build-services.mjs';
import { NODE_FLAGS, RUNTIME_ENV } from '../../../../scripts/runtime-flags.mjs';

// The public door under hostile bodies, against the bundled api run as `npm start` runs it
// (same heap flags): gzip JSON bombs and parallel 1 MB bodies of dense `[{},{},…]`, with no
// key and with a valid pk_. Before the body limits one such request exhausted the 96 MB
// heap and the process died (SIGABRT, "JavaScript heap out of memory").

const apiDir = fileURLToPath(new URL('../..', import.meta.url));
const MB = 1024 * 1024;

let db: TestDatabase;
let prisma: PrismaClient;
let api: ChildProcess;
let output = '';
let base = '';
let appId = 0;
let pk = '';

interface Answer {
  status?: number;
  error?: string;
}

/** One request on its own connection; a reset or a closed socket is reported, never thrown. */
function send(method: string, path: string, headers: OutgoingHttpHeaders, body?: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const req = httpRequest(`${base}${path}`, { method, headers, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode }));
      res.once('error', (error) => resolve({ error: error.message }));
    });
    req.once('error', (error) => resolve({ error: error.message }));
    req.end(body);
  });
}

/** Every answer must be a refusal the client can act on: a 4xx, or 503 (retry later). */
function expectRefusals(answers: Answer[], label: string): void {
  for (const answer of answers) {
    expect(answer.error, `${label}: connection failed\n${output.slice(-2000)}`).toBeUndefined();
    const ok = answer.status !== undefined && ((answer.status >= 400 && answer.status < 500) || answer.status === 503);
    expect(ok, `${label}: answered ${answer.status}`).toBe(true);
  }
}

function dense(bytes: number, prefix = '', suffix = ''): Buffer {
  const count = Math.floor((bytes - prefix.length - suffix.length - 2) / 3);
  return Buffer.from(`${prefix}[${'{},'.repeat(count)}{}]${suffix}`);
}

async function expectAlive(): Promise<void> {
  expect(api.exitCode, output.slice(-2000)).toBeNull();
  expect(api.signalCode, output.slice(-2000)).toBeNull();
  const health = await send('GET', '/healthz', {});
  expect(health.status, output.slice(-2000)).toBe(200);
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  const { org } = await createTestOrg(prisma);
  const created = await createTestApp(prisma, org.id);
  appId = created.app.id;
  pk = created.ingestKey;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await buildServices(['api']);
  api = spawn(process.execPath, [...NODE_FLAGS.api, 'dist/main.mjs'], {
    cwd: apiDir,
    env: {
      ...process.env,
      ...RUNTIME_ENV,
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      SIGHTLINE_SECRET: randomBytes(32).toString('hex'),
      REDIS_PREFIX: `body-limits-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  api.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  api.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  for (let i = 0; i < 240; i++) {
    if ((await send('GET', '/readyz', {})).status === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`api did not become ready\n${output}`);
}, 120_000);

afterAll(async () => {
  if (api && api.exitCode === null && api.signalCode === null) {
    const exited = new Promise((resolve) => api.once('exit', resolve));
    api.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    api.kill('SIGKILL');
  }
  await prisma?.$disconnect();
  await db?.drop();
});

describe('bounded memory per request and in total (bundled api, npm start heap)', () => {
  it('answers before reading the body when the key is missing or unknown', async () => {
    // Headers and 10 bytes of a declared 1 MB body: the answer must come without the rest.
    const early = (path: string, headers: OutgoingHttpHeaders, first: Buffer) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = httpRequest(`${base}${path}`, {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': String(MB), ...headers },
        });
        const timer = setTimeout(() => reject(new Error(`${path}: no answer before the body was complete`)), 15_000);
        req.once('response', (res) => {
          clearTimeout(timer);
          res.resume();
          resolve(res.statusCode);
          req.destroy();
        });
        req.once('error', () => undefined);
        req.write(first);
      });
    expect(await early('/v1/telemetry/events', {}, Buffer.from('[{},{},{},'))).toBe(401);
    expect(await early('/v1/telemetry/crash', { authorization: 'Bearer pk_unknown' }, Buffer.from('[{},'))).toBe(401);
    expect(await early(`/api/${appId}/store/`, {}, Buffer.from('{"a":[{},'))).toBe(401);
    // An envelope's key may be in its header line: that line alone is read.
    const header = Buffer.from(`{"dsn":"http://pk_unknown@localhost/${appId}"}\n{"type":"event"}\n[{},`);
    expect(await early(`/api/${appId}/envelope/`, {}, header)).toBe(401);
    await expectAlive();
  }, 120_000);

  it('survives gzip JSON bombs (~5 KB inflating to ~5 MB) with and without a key', async () => {
    const bomb = gzipSync(dense(5 * MB, '{"a":', '}'));
    expect(bomb.length).toBeLessThan(20_000);
    const gz = { 'content-encoding': 'gzip' };
    const json = { ...gz, 'content-type': 'application/json' };
    const bearer = { ...json, authorization: `Bearer ${pk}` };
    const envelopeBomb = gzipSync(
      Buffer.concat([
        Buffer.from(`{"dsn":"http://${pk}@localhost/${appId}"}\n{"type":"event"}\n`),
        dense(5 * MB - 200, '{"a":', '}'),
      ]),
    );
    const answers = await Promise.all([
      send('POST', `/api/${appId}/store/`, json, bomb),
      send('POST', `/api/${appId}/store/?sentry_key=${pk}`, json, bomb),
      send('POST', `/api/${appId}/store/?sentry_key=${pk}`, json, bomb),
      send('POST', '/v1/telemetry/events', json, bomb),
      send('POST', '/v1/telemetry/events', bearer, bomb),
      send('POST', '/v1/telemetry/crash', bearer, bomb),
      send('POST', `/api/${appId}/envelope/`, gz, bomb),
      send('POST', `/api/${appId}/envelope/?sentry_key=${pk}`, gz, bomb),
      send('POST', `/api/${appId}/envelope/`, gz, envelopeBomb),
      send('POST', `/api/${appId}/envelope/?sentry_key=${pk}`, gz, envelopeBomb),
    ]);
    expectRefusals(answers, 'gzip bomb');
    await expectAlive();
  }, 180_000);

  it('survives 20 parallel 1 MB bodies of dense JSON on each ingestion route, with and without a key', async () => {
    const body = dense(MB - 1024);
    const event = dense(MB - 1024, '{"a":', '}');
    const envelope = (dsn: string) =>
      Buffer.concat([Buffer.from(`{${dsn}}\n{"type":"event"}\n`), event.subarray(0, MB - 1024)]);
    const json = { 'content-type': 'application/json' };
    const bearer = { ...json, authorization: `Bearer ${pk}` };
    const groups: Array<[string, string, OutgoingHttpHeaders, Buffer]> = [
      ['events, no key', '/v1/telemetry/events', json, body],
      ['events, pk_', '/v1/telemetry/events', bearer, body],
      ['crash, no key', '/v1/telemetry/crash', json, body],
      ['crash, pk_', '/v1/telemetry/crash', bearer, event],
      ['envelope, no key', `/api/${appId}/envelope/`, {}, body],
      ['envelope, pk_', `/api/${appId}/envelope/?sentry_key=${pk}`, {}, envelope('')],
      ['envelope, pk_ in dsn', `/api/${appId}/envelope/`, {}, envelope(`"dsn":"http://${pk}@localhost/${appId}"`)],
    ];
    for (const [label, path, headers, payload] of groups) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => send('POST', path, headers, payload)));
      expectRefusals(answers, label);
      await expectAlive();
    }
  }, 300_000);

  it('keeps within its heap under parallel valid batches of the maximum size', async () => {
    // Valid bodies just under the caps, string-heavy and value-heavy: each is read, parsed and
    // normalised, so the budget must bound the mix, answering 503 to what it cannot take.
    const batch = (data: (i: number) => object) =>
      Buffer.from(
        JSON.stringify({
          device_id: 'heavy',
          app_version: '1.0.0',
          events: Array.from({ length: 500 }, (_, i) => ({
            type: 'screen_view',
            timestamp: Date.now() - i,
            data: data(i),
          })),
        }),
      );
    const strings = batch((i) => ({ screen_name: `screen-${i}`, note: 'x'.repeat(1950) }));
    const values = batch((i) => ({ screen_name: `screen-${i}`, list: Array.from({ length: 150 }, (_, j) => j) }));
    expect(strings.length).toBeGreaterThan(0.9 * MB);
    expect(strings.length).toBeLessThan(MB);
    expect(values.length).toBeLessThan(MB);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${pk}` };
    for (const body of [strings, values, strings]) {
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => send('POST', '/v1/telemetry/events', headers, body)),
      );
      for (const answer of answers) {
        expect(answer.error, `connection failed\n${output.slice(-2000)}`).toBeUndefined();
        expect([202, 429, 503]).toContain(answer.status);
      }
      await expectAlive();
    }
  }, 300_000);

  it('still stores a normal batch afterwards', async () => {
    await expectAlive();
    const batch = {
      device_id: 'device-after',
      app_version: '1.0.0',
      events: [{ type: 'screen_view', timestamp: Date.now(), data: { screen_name: 'home' } }],
    };
    const answer = await send(
      'POST',
      '/v1/telemetry/events',
      { 'content-type': 'application/json', authorization: `Bearer ${pk}` },
      Buffer.from(JSON.stringify(batch)),
    );
    expect(answer.status, output.slice(-2000)).toBe(202);
  }, 60_000);
});
