import { runAggregation } from '@sightline/core';
import { createTestApiKey, createTestOrg, until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// Crashes vs errors (issue 18), from the wire to the overview: a Lua app's sessions and its
// reports over POST /v1/telemetry/crash go through the writers and the aggregator; the
// overview (REST and GraphQL) counts unhandled reports as crashes and handled ones as
// errors, and crash-free users and sessions follow Sentry (a crashed session had an
// unhandled error).

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let readKey: string;
let strangerKey: string;
const now = Date.now();

async function post(path: string, body: unknown) {
  const res = await stack.api.inject({
    method: 'POST',
    url: path,
    headers: { authorization: `Bearer ${stack.app.ingestKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

async function get(path: string, key = readKey) {
  const res = await stack.api.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

/** A session of the calculator on device `n`: it starts and shows a screen. */
function session(n: number) {
  return post('/v1/telemetry/events', {
    app_version: '2.0.0',
    device_id: `device-${n}`,
    session_id: `session-${n}`,
    events: [
      { type: 'app_start', timestamp: now - 60_000 },
      { type: 'screen_view', timestamp: now - 50_000, data: { screen_name: 'converter.rml' } },
    ],
  });
}

/** A report from device `n`'s session; `crash` adds to a Lua error with no word on handling. */
function report(n: number, crash: Record<string, unknown> = {}) {
  return post('/v1/telemetry/crash', {
    app_version: '2.0.0',
    device_id: `device-${n}`,
    session_id: `session-${n}`,
    timestamp: now - 40_000,
    crash: { type: 'lua_error', message: "bad argument #1 to 'format'", ...crash },
  });
}

beforeAll(async () => {
  stack = await startIngestStack('com.example.calculator');
  readKey = (await createTestApiKey(stack.deps.prisma, stack.org.org.id, ['read'])).secret;
  const stranger = await createTestOrg(stack.deps.prisma);
  strangerKey = (await createTestApiKey(stack.deps.prisma, stranger.org.id, ['read'])).secret;

  // Device 5's app died before its events were sent: the report comes first.
  expect((await report(5)).status).toBe(202);
  await until(async () => ((await stack.deps.prisma.crashReport.count()) === 1 ? true : undefined));
  for (const n of [1, 2, 3, 4, 5]) expect((await session(n)).status).toBe(202);
  const sent = [
    await report(1), // a Lua error: the app died
    await report(2, { type: 'HttpError', message: 'rates service answered 503', level: 'error', handled: true }),
    await report(3, { type: 'HttpError', message: 'rates service answered 503', level: 'error', handled: true }),
    await report(3, { type: 'ParseError', message: 'bad rate "1,2"', level: 'warning', handled: true }),
  ];
  for (const r of sent) expect(r.status).toBe(202);
  await until(async () => ((await stack.deps.prisma.crashReport.count()) === 5 ? true : undefined));
  await until(async () => ((await stack.deps.prisma.telemetrySession.count()) === 5 ? true : undefined));
  while ((await runAggregation(stack.deps.pool, { limit: 1000 })).hours > 0);
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('crashes and handled errors', () => {
  it('refuses a handled flag that is not a boolean, naming it', async () => {
    const bad = await report(1, { handled: 'yes' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('crash.handled');
  });

  it('stores Lua errors as crashes and what the app says it caught as handled errors', async () => {
    const rows = await stack.deps.prisma.crashReport.findMany({
      where: { appId: stack.app.app.id },
      select: { crashType: true, level: true, handled: true },
      orderBy: [{ crashType: 'asc' }, { level: 'asc' }],
    });
    expect(rows.map((r) => [r.crashType, r.level, r.handled])).toEqual([
      ['HttpError', 'error', true],
      ['HttpError', 'error', true],
      ['ParseError', 'warning', true],
      ['lua_error', 'fatal', false],
      ['lua_error', 'fatal', false],
    ]);
  });

  it('marks a session crashed by its unhandled report, even one that came before its events', async () => {
    const sessions = await stack.deps.prisma.telemetrySession.findMany({
      where: { appId: stack.app.app.id },
      select: { id: true, crashed: true },
      orderBy: { id: 'asc' },
    });
    expect(sessions).toEqual([
      { id: 'session-1', crashed: true },
      { id: 'session-2', crashed: false },
      { id: 'session-3', crashed: false },
      { id: 'session-4', crashed: false },
      { id: 'session-5', crashed: true },
    ]);
  });

  it('shows crashes and errors apart on the overview, with crash-free users and sessions as Sentry counts them', async () => {
    const overview = await get(`/v1/apps/${stack.app.app.id}/analytics/overview`);
    expect(overview.status).toBe(200);
    // 5 users in 5 sessions; 2 of them crashed (devices 1 and 5); 3 handled errors elsewhere.
    expect(overview.body).toMatchObject({
      users: 5,
      sessions: 5,
      crashes: 2,
      errors: 3,
      crash_free_rate: 60,
      crash_free_sessions: 60,
    });

    const graphql = await stack.api.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${readKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({
        query: `query($id: ID!) { app(id: $id) { overview { current { crashes errors crashFreeUsers crashFreeSessions } } } }`,
        variables: { id: String(stack.app.app.id) },
      }),
    });
    expect(graphql.json()).toEqual({
      data: { app: { overview: { current: { crashes: 2, errors: 3, crashFreeUsers: 60, crashFreeSessions: 60 } } } },
    });

    // Another organization's key finds no such app.
    expect((await get(`/v1/apps/${stack.app.app.id}/analytics/overview`, strangerKey)).status).toBe(404);
  });

  it('tags crash groups with how many of their occurrences were crashes', async () => {
    const list = await get(`/v1/apps/${stack.app.app.id}/crashes?sort=occurrences`);
    expect(list.status).toBe(200);
    const groups = (list.body.crashes as Array<Record<string, unknown>>).map((g) => [
      g.crash_type,
      g.occurrence_count,
      g.unhandled_count,
      g.handled,
    ]);
    expect(groups).toEqual(
      expect.arrayContaining([
        ['lua_error', 2, 2, false],
        ['HttpError', 2, 0, true],
        ['ParseError', 1, 0, true],
      ]),
    );
    expect(groups).toHaveLength(3);
    expect((await get(`/v1/apps/${stack.app.app.id}/crashes`, strangerKey)).status).toBe(404);
  });
});
