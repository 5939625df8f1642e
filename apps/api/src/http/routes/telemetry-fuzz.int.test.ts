import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

// Thousands of malformed requests: every answer is a 4xx naming the problem, the server
// keeps answering, and nothing reaches the ingestion buffer.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let key: string;
let appId: number;
let otherAppId: number;

// A deterministic generator, so a failure can be replayed.
let seed = 42;
const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const junkValues: unknown[] = [
  null,
  true,
  -1,
  Infinity,
  '',
  'x'.repeat(300),
  [],
  {},
  [[[]]],
  { $gt: 1 },
  '\u0000',
  NaN,
];
const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });

function malformedBody(i: number): { payload: string | Buffer; headers: Record<string, string> } {
  const json = { 'content-type': 'application/json' };
  switch (i % 12) {
    case 0:
      return { payload: `{"device_id": "d", "events": [${'{'.repeat(1 + (i % 50))}`, headers: json };
    case 1:
      return {
        payload: JSON.stringify({
          device_id: pick(junkValues.filter((v) => typeof v !== 'string' || v.length === 0 || v.length > 200)),
          events: [{ type: 'x', timestamp: Date.now() }],
        }),
        headers: json,
      };
    case 2:
      return { payload: JSON.stringify({ device_id: 'd', events: pick(junkValues) }), headers: json };
    case 3:
      return {
        payload: JSON.stringify({
          device_id: 'd',
          events: [{ type: pick(junkValues), timestamp: pick(junkValues), data: pick(junkValues) }],
        }),
        headers: json,
      };
    case 4:
      return {
        payload: JSON.stringify({
          device_id: 'd',
          events: [{ type: 'custom', timestamp: Date.now(), data: deep(40 + (i % 30)) }],
        }),
        headers: json,
      };
    case 5:
      return {
        payload: JSON.stringify({
          device_id: 'd',
          events: [{ type: 'custom', timestamp: Date.now(), data: { s: 'y'.repeat(17_000) } }],
        }),
        headers: json,
      };
    case 6:
      return { payload: randomBytes(64 + (i % 200)), headers: { ...json, 'content-encoding': 'gzip' } };
    case 7:
      return { payload: gzipSync('not json at all'), headers: { ...json, 'content-encoding': 'gzip' } };
    case 8:
      return { payload: 'device_id=d&events=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    case 9:
      return {
        payload: JSON.stringify({ app_id: otherAppId, device_id: 'd', events: [{ type: 'x', timestamp: Date.now() }] }),
        headers: json,
      };
    case 10:
      return {
        payload: JSON.stringify({
          device_id: 'd',
          events: [{ type: 'web_vital', timestamp: Date.now(), data: { name: 'LCP', value: pick(junkValues) } }],
        }),
        headers: json,
      };
    default:
      return {
        payload: JSON.stringify({
          device_id: 'd',
          events: [{ type: 'x', timestamp: pick(['tomorrow', '2026-13-45', 'NaN', true, null]) }],
        }),
        headers: json,
      };
  }
}

// Bodies shaped like a crash report, each wrong in one place the crash schema checks.
const goodCrash = () => ({
  device_id: 'd',
  timestamp: Date.now(),
  crash: { type: 'TypeError', message: 'x is undefined', frames: [{ function: 'f', filename: 'a.js', lineno: 1 }] },
});
function malformedCrash(i: number): string {
  const crash = goodCrash();
  const withCrash = (patch: Record<string, unknown>) =>
    JSON.stringify({ ...crash, crash: { ...crash.crash, ...patch } });
  switch (i % 12) {
    case 0:
      return JSON.stringify({
        device_id: 'd',
        timestamp: Date.now(),
        crash: pick([undefined, null, 'TypeError', [], 7]),
      });
    case 1:
      return withCrash({ type: pick([null, true, -1, '', 'x'.repeat(201), [], {}]) });
    case 2:
      return withCrash({ frames: Array.from({ length: 251 }, () => ({ function: 'f' })) });
    case 3:
      return withCrash({ frames: pick([null, {}, 'at f (a.js:1)', [[[]]], [7]]) });
    case 4:
      return withCrash({ fingerprint: pick([[], [''], Array.from({ length: 21 }, (_, n) => `f${n}`), 'one', [7]]) });
    case 5:
      return withCrash({ level: pick(['panic', 'FATAL', '', 7, null]) });
    case 6:
      return withCrash({ context: pick([[], 'ctx', 7, null]) });
    case 7:
      return withCrash({ tags: pick([{ k: 'v'.repeat(201) }, { k: 7 }, { k: null }, ['a'], 'tag']) });
    case 8:
      return JSON.stringify({
        ...crash,
        id: pick(['short', 'has spaces in it', '../../etc/passwd', 'x'.repeat(65), 7]),
      });
    case 9:
      return pick([withCrash({ stack_trace: 's'.repeat(256 * 1024 + 1) }), withCrash({ message: 'm'.repeat(8001) })]);
    case 10:
      return JSON.stringify(crash).slice(0, 1 + Math.floor(rand() * 120));
    default:
      return pick([
        JSON.stringify({ ...crash, timestamp: pick(['tomorrow', '2026-13-45', true, {}]) }),
        withCrash({ breadcrumbs: pick(['crumb', {}, 7, null]) }),
      ]);
  }
}

// Sentry bodies that look like a crash report but are broken: /store/ bodies and envelopes.
const sentryEvent = () => ({
  event_id: '9f2c4e1a7b3d4c5e8f6a1b2c3d4e5f60',
  level: 'error',
  exception: { values: [{ type: 'Error', value: 'boom', stacktrace: { frames: [{ function: 'f', lineno: 1 }] } }] },
});
function malformedSentry(i: number): { kind: 'store' | 'envelope'; payload: Buffer; headers: Record<string, string> } {
  const store = (payload: string | Buffer, headers: Record<string, string> = {}) => ({
    kind: 'store' as const,
    payload: Buffer.from(payload),
    headers: { 'content-type': 'application/json', ...headers },
  });
  const envelope = (text: string) => ({
    kind: 'envelope' as const,
    payload: Buffer.from(text),
    headers: { 'content-type': 'application/x-sentry-envelope' },
  });
  const eventText = JSON.stringify(sentryEvent());
  switch (i % 10) {
    case 0:
      return store(eventText.slice(0, 1 + Math.floor(rand() * (eventText.length - 2))));
    case 1:
      return store(pick(['[]', 'null', '"event"', '7', `[${eventText}]`]));
    case 2:
      // Only empty fingerprints: the crash would have none, which the schema refuses.
      return store(JSON.stringify({ ...sentryEvent(), fingerprint: ['', ''] }));
    case 3:
      return store(randomBytes(64 + (i % 200)), { 'content-encoding': 'gzip' });
    case 4:
      return envelope(`${pick(['not json', '[]', '{"event_id":', 'null'])}\n{"type":"event"}\n${eventText}\n`);
    case 5:
      return envelope(`{}\n{"length":${eventText.length}}\n${eventText}\n`);
    case 6:
      return envelope(
        `{}\n{"type":"event","length":${pick([eventText.length + 50, -1, '"12"', 1.5])}}\n${eventText}\n`,
      );
    case 7:
      return envelope(`{}\n{"type":"event"}\n${eventText.slice(0, 1 + Math.floor(rand() * (eventText.length - 2)))}\n`);
    case 8:
      return envelope(`{}\n${`{"type":"event"}\n${eventText}\n`.repeat(101)}`);
    default:
      return envelope(`{}\n{"type":"event"}\n${pick(['[]', 'null', '"event"', '7'])}\n`);
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  const { org } = await createTestOrg(deps.prisma);
  const created = await createTestApp(deps.prisma, org.id);
  key = created.ingestKey;
  appId = created.app.id;
  const other = await createTestOrg(deps.prisma);
  otherAppId = (await createTestApp(deps.prisma, other.org.id)).app.id;
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

describe('ingestion under malformed input', () => {
  it('answers 2,400 malformed requests with 4xx only, stores nothing, and still serves a good one', async () => {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2_400; i++) {
      const { payload, headers } = malformedBody(i);
      const auth = i % 97 === 0 ? {} : { authorization: `Bearer ${i % 89 === 0 ? 'pk_forged' : key}` };
      const res = await api.inject({
        method: 'POST',
        url: i % 2 ? '/v1/telemetry/events' : '/v1/telemetry/crash',
        headers: { ...headers, ...auth },
        payload,
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode < 400 || res.statusCode >= 500) {
        throw new Error(`request ${i} got ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }
      expect(res.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(0);
    }
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(await deps.redis.xlen(`${deps.namespace}:ingest:events`)).toBe(0);
    expect(await deps.redis.xlen(`${deps.namespace}:ingest:crashes`)).toBe(0);
    const good = await api.inject({
      method: 'POST',
      url: '/v1/telemetry/events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: { device_id: 'd', events: [{ type: 'app_start', timestamp: Date.now() }] },
    });
    expect(good.statusCode).toBe(202);
  }, 120_000);

  it('answers crash-shaped malformed reports and Sentry bodies with 4xx only, stores nothing, and still takes a good crash', async () => {
    // The test before this one ends with a good event: count from what is buffered now.
    const crashesBefore = await deps.redis.xlen(`${deps.namespace}:ingest:crashes`);
    const eventsBefore = await deps.redis.xlen(`${deps.namespace}:ingest:events`);
    const requests = [
      ...Array.from({ length: 240 }, (_, i) => ({
        url: '/v1/telemetry/crash',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        payload: malformedCrash(i),
      })),
      ...Array.from({ length: 200 }, (_, i) => {
        const { kind, payload, headers } = malformedSentry(i);
        return { url: `/api/${appId}/${kind}/?sentry_key=${key}`, headers, payload };
      }),
    ];
    for (const [i, request] of requests.entries()) {
      const res = await api.inject({ method: 'POST', ...request });
      if (res.statusCode < 400 || res.statusCode >= 500) {
        throw new Error(`request ${i} to ${request.url} got ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }
      expect(res.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(0);
    }
    expect(await deps.redis.xlen(`${deps.namespace}:ingest:crashes`)).toBe(crashesBefore);
    expect(await deps.redis.xlen(`${deps.namespace}:ingest:events`)).toBe(eventsBefore);
    // The same shapes, unbroken, are taken: the refusals above were about the breakage.
    const good = await api.inject({
      method: 'POST',
      url: '/v1/telemetry/crash',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: goodCrash(),
    });
    expect(good.statusCode).toBe(202);
    const goodSentry = await api.inject({
      method: 'POST',
      url: `/api/${appId}/store/?sentry_key=${key}`,
      headers: { 'content-type': 'application/json' },
      payload: sentryEvent(),
    });
    expect(goodSentry.statusCode).toBe(200);
    expect(await deps.redis.xlen(`${deps.namespace}:ingest:crashes`)).toBe(crashesBefore + 2);
  }, 120_000);
});
