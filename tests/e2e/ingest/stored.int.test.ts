import { randomUUID } from 'node:crypto';
import { createDeadLetterStore, hashDeviceId } from '@sightline/core';
import { until } from '@sightline/core/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// "202 means it will be stored": strings PostgreSQL refuses (lone UTF-16 surrogates, NUL) are
// fixed before the api acknowledges, and a row PostgreSQL still refuses costs only its own
// event, not the rest of its request. Real api, Redis buffer, writers and PostgreSQL.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let api: FastifyInstance;

// As a client sends them: JSON.stringify writes the lone surrogate as the escape "\ud83d" and
// NUL as "\u0000"; the six characters \u0000 as "\\u0000"; a backslash then NUL as "\\\u0000".
const HOSTILE = { lone: 'a\ud83db', six: 'a\\u0000b', nul: 'a\u0000b', slashNul: 'a\\\u0000b' };
const STORED = { lone: 'a\ufffdb', six: 'a\\u0000b', nul: 'ab', slashNul: 'a\\b' };
const ALL_HOSTILE = Object.values(HOSTILE).join('|');
const ALL_STORED = Object.values(STORED).join('|');

async function post(url: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await api.inject({
    method: 'POST',
    url,
    remoteAddress: '198.51.100.9',
    headers: { authorization: `Bearer ${stack.app.ingestKey}`, 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

const deadLetters = () => createDeadLetterStore(stack.deps.redis, stack.deps.namespace);

/** The writers have read everything buffered so far (entries are deleted once handled). */
async function drained(): Promise<void> {
  await until(async () => {
    const [events, crashes] = await Promise.all([
      stack.deps.redis.xlen(`${stack.deps.namespace}:ingest:events`),
      stack.deps.redis.xlen(`${stack.deps.namespace}:ingest:crashes`),
    ]);
    return events + crashes === 0 ? true : undefined;
  }, 30);
}

beforeAll(async () => {
  stack = await startIngestStack('com.example.stored');
  api = stack.api;
});

afterAll(async () => {
  await stack?.close(api);
});

describe('strings PostgreSQL refuses, acknowledged with 202', () => {
  it('stores every event of the request, normalised, and dead-letters nothing', async () => {
    const device = `dev-${randomUUID()}`;
    const at = (i: number) => new Date(Date.now() - 10_000 + i).toISOString();
    const body = {
      device_id: device,
      session_id: HOSTILE.lone,
      user_id: ALL_HOSTILE,
      app_version: HOSTILE.nul,
      environment: HOSTILE.slashNul,
      events: [
        { type: 'screen_view', timestamp: at(0), data: { screen_name: 'good-1' } },
        ...Object.entries(HOSTILE).map(([k, v], i) => ({
          type: 'custom',
          timestamp: at(1 + i),
          name: `${k}:${v}`,
          session_id: v,
          data: { kind: k, value: v, nested: [{ [v]: v }] },
        })),
        { type: 'screen_view', timestamp: at(9), data: { screen_name: 'good-2' } },
      ],
    };
    const res = await post('/v1/telemetry/events', body);
    expect(res).toMatchObject({ status: 202, body: { received: 6 } });

    const hashed = hashDeviceId(stack.salt, device);
    const rows = await until(async () => {
      const r = await stack.deps.pool.query<{
        name: string | null;
        session_id: string;
        user_id: string;
        data: Record<string, unknown>;
      }>(
        'SELECT name, session_id, user_id, app_version, environment, data FROM events WHERE app_id = $1 AND device_id = $2 ORDER BY occurred_at',
        [stack.app.app.id, hashed],
      );
      return r.rows.length > 0 ? r.rows : undefined;
    }, 20);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ name: 'good-1', session_id: STORED.lone, user_id: ALL_STORED });
    expect(rows[0]).toMatchObject({ app_version: STORED.nul, environment: STORED.slashNul });
    for (const [i, [k, v]] of Object.entries(STORED).entries()) {
      expect(rows[1 + i]).toMatchObject({
        name: `${k}:${v}`,
        session_id: v,
        data: { kind: k, value: v, nested: [{ [v]: v }] },
      });
    }
    await drained();
    expect(await deadLetters().list()).toEqual([]);
  });

  it('stores a crash report with them in message, stack, context, breadcrumbs and tags', async () => {
    const res = await post('/v1/telemetry/crash', {
      device_id: `crash-${randomUUID()}`,
      session_id: HOSTILE.nul,
      crash: {
        type: `TypeError${HOSTILE.lone}`,
        message: ALL_HOSTILE,
        stack_trace: `at f (${HOSTILE.slashNul}.js:1:2)\nat g (${HOSTILE.lone}.js:3:4)`,
        context: { ...HOSTILE, [HOSTILE.nul]: HOSTILE.six },
        breadcrumbs: [{ message: HOSTILE.lone, data: HOSTILE }],
        tags: HOSTILE,
      },
    });
    expect(res.status).toBe(202);
    const row = await until(async () => {
      const r = await stack.deps.pool.query<Record<string, unknown>>(
        'SELECT crash_type, message, stack_trace, context, breadcrumbs, tags FROM crash_reports WHERE id = $1',
        [res.body.id],
      );
      return r.rows[0];
    }, 20);
    expect(row).toMatchObject({
      crash_type: `TypeError${STORED.lone}`,
      message: ALL_STORED,
      stack_trace: `at f (${STORED.slashNul}.js:1:2)\nat g (${STORED.lone}.js:3:4)`,
      context: { ...STORED, [STORED.nul]: STORED.six },
      breadcrumbs: [{ message: STORED.lone, data: STORED }],
      tags: STORED,
    });
    await drained();
    expect(await deadLetters().list()).toEqual([]);
  });

  it('stores a Sentry envelope event carrying them', async () => {
    const eventId = randomUUID().replaceAll('-', '');
    const event = {
      event_id: eventId,
      timestamp: Date.now() / 1000 - 5,
      platform: 'javascript',
      level: 'error',
      release: `web@1.0.0${HOSTILE.nul}`,
      message: { formatted: ALL_HOSTILE },
      exception: {
        values: [
          {
            type: `RangeError${HOSTILE.lone}`,
            value: ALL_HOSTILE,
            stacktrace: { frames: [{ filename: `app:///${HOSTILE.slashNul}.js`, function: HOSTILE.lone, lineno: 1 }] },
          },
        ],
      },
      extra: HOSTILE,
      tags: HOSTILE,
      breadcrumbs: { values: [{ message: HOSTILE.six, data: HOSTILE }] },
    };
    const envelope = [
      JSON.stringify({ event_id: eventId }),
      JSON.stringify({ type: 'event' }),
      JSON.stringify(event),
    ].join('\n');
    const res = await api.inject({
      method: 'POST',
      url: `/api/${stack.app.app.id}/envelope/?sentry_key=${stack.app.ingestKey}&sentry_version=7`,
      remoteAddress: '198.51.100.9',
      headers: { 'content-type': 'application/x-sentry-envelope' },
      payload: envelope,
    });
    expect(res.statusCode).toBe(200);
    const row = await until(async () => {
      const r = await stack.deps.pool.query<{ message: string; crash_type: string }>(
        `SELECT message, crash_type FROM crash_reports WHERE app_id = $1 AND crash_type LIKE 'RangeError%'`,
        [stack.app.app.id],
      );
      return r.rows[0];
    }, 20);
    expect(row.crash_type).toBe(`RangeError${STORED.lone}`);
    expect(row.message).toContain(ALL_STORED);
    await drained();
    expect(await deadLetters().list()).toEqual([]);
  });
});

describe('a row PostgreSQL refuses in a stored batch', () => {
  it('dead-letters only that event, with its entry and index; the good events of its request are stored', async () => {
    const session = randomUUID();
    const event = (id: string, screen: string) => [
      id,
      Date.now() - 2000,
      'screen_view',
      screen,
      'isolation-device',
      session,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      '{}',
    ];
    const payload = JSON.stringify({
      o: stack.org.org.id,
      a: stack.app.app.id,
      r: Date.now(),
      e: [event(randomUUID(), 'first'), event('not-a-uuid', 'poison'), event(randomUUID(), 'last')],
    });
    const entry = await stack.deps.redis.xadd(`${stack.deps.namespace}:ingest:events`, '*', 'b', payload);
    const names = await until(async () => {
      const r = await stack.deps.pool.query<{ name: string }>(
        'SELECT name FROM events WHERE session_id = $1 ORDER BY name',
        [session],
      );
      return r.rows.length >= 2 ? r.rows.map((row) => row.name) : undefined;
    }, 20);
    expect(names).toEqual(['first', 'last']);
    const letters = await until(async () => {
      const all = await deadLetters().list();
      return all.some((l) => l.entry === entry) ? all : undefined;
    });
    const mine = letters.filter((l) => l.entry === entry);
    expect(mine).toEqual([
      expect.objectContaining({
        id: `events/${entry}#1`,
        stream: 'events',
        kind: 'refused',
        index: 1,
        eventId: 'not-a-uuid',
        reason: expect.stringMatching(/uuid/) as unknown,
      }),
    ]);
    const kept = JSON.parse((await deadLetters().payload(`events/${entry}#1`)) ?? 'null') as { e: unknown[][] };
    expect(kept.e).toHaveLength(1);
    expect(kept.e[0]?.[3]).toBe('poison');
  });
});
