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
let otherAppId: number;

// A deterministic generator, so a failure can be replayed.
let seed = 42;
const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const junkValues: unknown[] = [null, true, -1, Infinity, '', 'x'.repeat(300), [], {}, [[[]]], { $gt: 1 }, '\u0000', NaN];
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

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  const { org } = await createTestOrg(deps.prisma);
  key = (await createTestApp(deps.prisma, org.id)).ingestKey;
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
});
