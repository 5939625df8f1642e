import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildServer } from '@sightline/api';
import { sentryUserDeviceId } from '@sightline/core';
import { createTestApiKey, createTestApp, createTestOrg, until } from '@sightline/core/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorHeaders } from '@sightline/api/testing';
import { startIngestStack } from '../support/ingest-stack.ts';

// Official Sentry SDKs reporting to Sightline: the envelope and store endpoints, from the
// HTTP edge through the buffer and the writers into crash_reports, events and sessions.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let deps: Awaited<ReturnType<typeof startIngestStack>>['deps'];
let api: FastifyInstance;
let org: Awaited<ReturnType<typeof startIngestStack>>['org'];
let app: Awaited<ReturnType<typeof startIngestStack>>['app'];
let salt: string;

const FIXTURE = fileURLToPath(new URL('../fixtures/sentry-node-app.mjs', import.meta.url));

const hex = () => randomUUID().replaceAll('-', '');

function envelope(headers: Record<string, unknown>, ...items: Array<[Record<string, unknown>, unknown]>): string {
  return [
    JSON.stringify(headers),
    ...items.flatMap(([h, payload]) => [
      JSON.stringify(h),
      typeof payload === 'string' ? payload : JSON.stringify(payload),
    ]),
  ].join('\n');
}

function errorEvent(eventId: string, extra: Record<string, unknown> = {}) {
  return {
    event_id: eventId,
    timestamp: Date.now() / 1000 - 5,
    platform: 'javascript',
    level: 'error',
    release: 'web@1.0.0',
    environment: 'production',
    user: { id: 'u-1' },
    exception: {
      values: [
        {
          type: 'RangeError',
          value: 'index 9 out of range',
          stacktrace: {
            frames: [
              { filename: 'app:///main.js', function: 'boot', lineno: 3, colno: 1, in_app: true },
              { filename: 'app:///list.js', function: 'pick', lineno: 40, colno: 12, in_app: true },
            ],
          },
          mechanism: { type: 'onerror', handled: false },
        },
      ],
    },
    ...extra,
  };
}

async function send(
  path: string,
  payload: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  const res = await api.inject({
    method: 'POST',
    url: path,
    remoteAddress: '203.0.113.7',
    headers: { 'content-type': 'application/x-sentry-envelope', ...headers },
    payload,
  });
  return { status: res.statusCode, headers: res.headers, body: res.json<Record<string, unknown>>() };
}

const crashRow = (id: string) =>
  until(async () => {
    const r = await deps.pool.query<Record<string, unknown>>(
      `SELECT * FROM crash_reports WHERE app_id = $1 AND context->'sentry'->>'event_id' = $2`,
      [app.app.id, id],
    );
    return r.rows[0];
  });

/**
 * Both writers have handled everything buffered so far: the api appends before it answers,
 * and a writer deletes an entry once its rows commit (or it is dead-lettered).
 */
const drained = () =>
  until(async () => {
    const { stream, crashStream } = deps.ingest.buffer;
    return (await deps.redis.xlen(stream)) + (await deps.redis.xlen(crashStream)) === 0 ? true : undefined;
  });

beforeAll(async () => {
  stack = await startIngestStack('com.example.sentry');
  ({ deps, api, org, app, salt } = stack);
});

afterAll(async () => {
  await stack?.close(api);
});

describe('the official @sentry/node SDK', () => {
  it('reports a handled error, an uncaught crash and the crashed session with a Sightline DSN', async () => {
    await api.listen({ port: 0, host: '127.0.0.1' });
    const port = (api.server.address() as AddressInfo).port;
    const dsn = `http://${app.ingestKey}@127.0.0.1:${port}/${app.app.id}`;
    const exit = await new Promise<number | null>((resolve) => {
      execFile(process.execPath, [FIXTURE], { env: { ...process.env, SENTRY_DSN: dsn }, timeout: 30_000 }, (error) =>
        resolve(error ? (typeof error.code === 'number' ? error.code : -1) : 0),
      );
    });
    expect(exit).toBe(1); // the fixture dies of its uncaught error, as an app would

    const rows = await until(async () => {
      const r = await deps.pool.query<Record<string, unknown>>(
        `SELECT * FROM crash_reports WHERE app_id = $1 AND source = 'sentry' AND app_version = 'shop@2.4.1' ORDER BY occurred_at`,
        [app.app.id],
      );
      return r.rows.length === 2 ? r.rows : undefined;
    });
    const [handled, fatal] = rows as [Record<string, unknown>, Record<string, unknown>];
    expect(handled).toMatchObject({
      crash_type: 'TypeError',
      message: 'cart 17 has no owner',
      level: 'error',
      handled: true, // Sentry.captureException: the app caught it
      environment: 'staging',
      user_id: 'user-42',
      tags: { region: 'eu-west' },
      device_id: sentryUserDeviceId(salt, 'user-42'),
    });
    expect(handled.stack_trace).toMatch(
      /^TypeError: cart 17 has no owner\n {4}at loadCart \(.*sentry-node-app\.mjs:\d+:\d+\)/,
    );
    const [top] = handled.frames as Array<Record<string, unknown>>;
    expect(top).toMatchObject({ function: 'loadCart', in_app: true });
    expect(top?.line).toBeGreaterThan(0);
    expect(handled.breadcrumbs).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'cart', message: 'added item sku-9' })]),
    );
    expect(JSON.stringify(handled.context)).not.toContain('ada@example.com');
    // Nothing caught it (the SDK's onUncaughtException: mechanism.handled false): a crash.
    expect(fatal).toMatchObject({
      crash_type: 'SyntaxError',
      level: 'fatal',
      handled: false,
      app_version: 'shop@2.4.1',
    });

    const session = await until(async () => {
      const r = await deps.pool.query<Record<string, unknown>>(
        `SELECT * FROM sessions WHERE app_id = $1 AND app_version = 'shop@2.4.1' AND crashed`,
        [app.app.id],
      );
      return r.rows[0];
    });
    expect(session).toMatchObject({ device_id: sentryUserDeviceId(salt, 'user-42'), crashed: true });
    await api.close();
    api = await buildServer(deps);
  }, 60_000);
});

describe('POST /api/:projectId/envelope/', () => {
  it('takes the key from the query, X-Sentry-Auth or the envelope DSN, and a gzip body', async () => {
    const ids = [hex(), hex(), hex(), hex()];
    const body = (id: string, headers: Record<string, unknown> = {}) =>
      envelope({ event_id: id, ...headers }, [{ type: 'event' }, errorEvent(id)]);
    const path = `/api/${app.app.id}/envelope/`;
    const answers = [
      await send(`${path}?sentry_key=${app.ingestKey}&sentry_version=7`, body(ids[0]!)),
      await send(path, body(ids[1]!), {
        'x-sentry-auth': `Sentry sentry_version=7, sentry_client=sentry.javascript.browser/10.0.0, sentry_key=${app.ingestKey}`,
      }),
      await send(path, body(ids[2]!, { dsn: `https://${app.ingestKey}@sightline.example/${app.app.id}` })),
      await send(`${path}?sentry_key=${app.ingestKey}`, gzipSync(body(ids[3]!)), { 'content-encoding': 'gzip' }),
    ];
    answers.forEach((a, i) => expect(a).toMatchObject({ status: 200, body: { id: ids[i] } }));
    for (const id of ids) {
      expect(await crashRow(id)).toMatchObject({
        source: 'sentry',
        crash_type: 'RangeError',
        message: 'index 9 out of range',
        level: 'error',
        app_version: 'web@1.0.0',
        environment: 'production',
        user_id: 'u-1',
      });
    }
    const row = await crashRow(ids[0]!);
    expect(row.stack_trace).toBe(
      'RangeError: index 9 out of range\n    at pick (app:///list.js:40:12)\n    at boot (app:///main.js:3:1)',
    );
  });

  it('counts mechanism.handled false as a crash and captureException (handled true, or no mechanism) as an error', async () => {
    const withMechanism = (id: string, mechanism: Record<string, unknown> | null) => {
      const event = errorEvent(id, { release: 'web@1.1.0' });
      const exception: Record<string, unknown> = event.exception.values[0]!;
      if (mechanism) exception.mechanism = mechanism;
      else delete exception.mechanism;
      return envelope({ event_id: id }, [{ type: 'event' }, event]);
    };
    const cases: Array<[string, Record<string, unknown> | null, boolean]> = [
      [hex(), { type: 'onerror', handled: false }, false],
      [hex(), { type: 'onunhandledrejection', handled: false }, false],
      [hex(), { type: 'generic', handled: true }, true],
      [hex(), null, true],
    ];
    for (const [id, mechanism] of cases) {
      expect(
        (await send(`/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`, withMechanism(id, mechanism))).status,
      ).toBe(200);
    }
    for (const [id, , handled] of cases) expect(await crashRow(id)).toMatchObject({ level: 'error', handled });
    // One bug, one group: it knows how many of its occurrences were crashes.
    const [group] = (
      await deps.pool.query<{ occurrence_count: string; unhandled_count: string }>(
        `SELECT g.occurrence_count, g.unhandled_count FROM crash_groups g
          WHERE g.id = (SELECT group_id FROM crash_reports WHERE app_id = $1 AND context->'sentry'->>'event_id' = $2)`,
        [app.app.id, cases[0]![0]],
      )
    ).rows;
    const before = await deps.pool.query<{ n: string }>(
      `SELECT count(*) FILTER (WHERE NOT handled) AS n FROM crash_reports WHERE group_id =
         (SELECT group_id FROM crash_reports WHERE app_id = $1 AND context->'sentry'->>'event_id' = $2)`,
      [app.app.id, cases[0]![0]],
    );
    expect(group!.unhandled_count).toBe(before.rows[0]!.n);
    expect(Number(group!.unhandled_count)).toBeGreaterThanOrEqual(2);
    expect(Number(group!.occurrence_count)).toBeGreaterThan(Number(group!.unhandled_count));
  });

  it('stores a retried event once, reads sessions, transactions and client reports, and skips unknown items', async () => {
    const id = hex();
    const sid = hex();
    const now = Date.now();
    const body = envelope(
      { event_id: id, sent_at: new Date().toISOString() },
      [{ type: 'event' }, errorEvent(id, { user: { id: 'u-7' } })],
      [
        { type: 'session' },
        {
          sid,
          did: 'u-7',
          init: true,
          started: new Date(now - 60_000).toISOString(),
          timestamp: new Date(now).toISOString(),
          status: 'crashed',
          errors: 1,
          duration: 60,
          attrs: { release: 'web@1.0.0', environment: 'production' },
        },
      ],
      [
        { type: 'transaction' },
        {
          type: 'transaction',
          transaction: '/checkout',
          start_timestamp: now / 1000 - 2,
          timestamp: now / 1000 - 0.5,
          contexts: { trace: { op: 'pageload', trace_id: hex(), span_id: hex().slice(0, 16) } },
          measurements: { lcp: { value: 2400, unit: 'millisecond' }, cls: { value: 0.02, unit: '' } },
          user: { id: 'u-7' },
          release: 'web@1.0.0',
        },
      ],
      [
        { type: 'client_report' },
        { timestamp: now / 1000, discarded_events: [{ reason: 'queue_overflow', category: 'error', quantity: 3 }] },
      ],
      [{ type: 'replay_recording', length: 5 }, 'ABCDE'],
      [{ type: 'attachment', length: 11, filename: 'log.txt', content_type: 'text/plain' }, 'hello world'],
    );
    const path = `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`;
    expect(await send(path, body)).toMatchObject({ status: 200, body: { id } });
    expect(await send(path, body)).toMatchObject({ status: 200, body: { id } });
    // Both copies of every item are through the writers: what is stored twice would be by now.
    await drained();

    const crash = await crashRow(id);
    expect(crash.context).toMatchObject({ attachments: [{ filename: 'log.txt', size: 11 }] });
    const session = await until(async () => {
      const r = await deps.pool.query<Record<string, unknown>>('SELECT * FROM sessions WHERE app_id = $1 AND id = $2', [
        app.app.id,
        sid,
      ]);
      return r.rows[0];
    });
    expect(session).toMatchObject({
      crashed: true,
      device_id: sentryUserDeviceId(salt, 'u-7'),
      app_version: 'web@1.0.0',
    });
    const derived = await deps.pool.query<{ type: string; name: string; value: number | null }>(
      `SELECT type, name, value FROM events WHERE app_id = $1 AND device_id = $2 ORDER BY type, name`,
      [app.app.id, sentryUserDeviceId(salt, 'u-7')],
    );
    // Once each: the retry's transaction, vitals and session update carry the same ids.
    expect(derived.rows.map((e) => [e.type, e.name, e.value])).toEqual([
      ['session_end', 'crashed', 60],
      ['session_start', null, null],
      ['transaction', '/checkout', 1500],
      ['web_vital', 'CLS', 0.02],
      ['web_vital', 'LCP', 2400],
    ]);
    const crashes = await deps.pool.query(
      "SELECT count(*)::int AS n FROM crash_reports WHERE context->'sentry'->>'event_id' = $1",
      [id],
    );
    expect(crashes.rows[0]).toEqual({ n: 1 });
    const metrics = await api.inject({ method: 'GET', url: '/metrics', headers: operatorHeaders });
    expect(metrics.body).toMatch(
      /sightline_ingest_sentry_client_discarded_total\{reason="queue_overflow",category="error"\} 6/,
    );
    expect(metrics.body).toMatch(/sightline_ingest_sentry_items_total\{type="other",outcome="skipped"\} 2/);
  });

  it('answers /store/ with the event id', async () => {
    const id = hex();
    const res = await send(`/api/${app.app.id}/store/?sentry_key=${app.ingestKey}`, JSON.stringify(errorEvent(id)), {
      'content-type': 'application/json',
    });
    expect(res).toMatchObject({ status: 200, body: { id } });
    expect(await crashRow(id)).toMatchObject({ crash_type: 'RangeError' });
  });

  it('refuses bad credentials, other apps and broken envelopes with a 4xx that names the problem', async () => {
    const other = await createTestOrg(deps.prisma);
    const otherApp = await createTestApp(deps.prisma, other.org.id, {});
    const secret = await createTestApiKey(deps.prisma, org.org.id, ['ingest']);
    const id = hex();
    const body = envelope({ event_id: id }, [{ type: 'event' }, errorEvent(id)]);
    const cases: Array<[string, string, number, RegExp]> = [
      [`/api/${app.app.id}/envelope/`, body, 401, /sentry_key/],
      [`/api/${app.app.id}/envelope/?sentry_key=pk_unknownkey`, body, 401, /unknown or revoked/],
      [`/api/${otherApp.app.id}/envelope/?sentry_key=${app.ingestKey}`, body, 404, /not found/],
      [`/api/${app.app.id}/envelope/?sentry_key=${otherApp.ingestKey}`, body, 404, /not found/],
      [`/api/${app.app.id}/envelope/?sentry_key=${secret.secret}`, body, 403, /pk_/],
      [`/api/abc/envelope/?sentry_key=${app.ingestKey}`, body, 404, /numeric id/],
      [`/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`, 'not json\n{}', 400, /envelope header is not JSON/],
      [
        `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
        '{}\n{"type":"event","length":999}\n{}',
        400,
        /length/,
      ],
      [
        `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
        '{}\n{"type":"event"}\n[1,2]',
        400,
        /not a JSON object/,
      ],
      [
        `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
        '{}\n{"type":"session"}\n{"status":"ok"}',
        400,
        /sid/,
      ],
      [`/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`, '', 400, /empty body/],
    ];
    for (const [path, payload, status, message] of cases) {
      const res = await send(path, payload);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect((res.body.error as { message: string }).message).toMatch(message);
    }
    // A good envelope after them: once it is stored and the streams are empty, anything a
    // refused request had buffered would be stored too.
    const marker = hex();
    expect(
      await send(
        `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
        envelope({ event_id: marker }, [{ type: 'event' }, errorEvent(marker)]),
      ),
    ).toMatchObject({ status: 200, body: { id: marker } });
    await crashRow(marker);
    await drained();
    const stored = await deps.pool.query(
      "SELECT count(*)::int AS n FROM crash_reports WHERE context->'sentry'->>'event_id' = $1",
      [id],
    );
    expect(stored.rows[0]).toEqual({ n: 0 });
  });

  it('answers 429 with Retry-After and X-Sentry-Rate-Limits once the key is over its rate', async () => {
    const limited = await createTestApp(deps.prisma, org.org.id, {});
    const before = deps.ingest.limits.perKey;
    deps.ingest.limits.perKey = 2;
    try {
      const path = `/api/${limited.app.id}/envelope/?sentry_key=${limited.ingestKey}`;
      const answers = [];
      for (let i = 0; i < 3; i++) {
        const id = hex();
        answers.push(await send(path, envelope({ event_id: id }, [{ type: 'event' }, errorEvent(id)])));
      }
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
      expect(Number(answers[2]!.headers['retry-after'])).toBeGreaterThan(0);
      expect(answers[2]!.headers['x-sentry-rate-limits']).toMatch(/^\d+::key$/);
    } finally {
      deps.ingest.limits.perKey = before;
    }
  });

  it('keeps crash reports once the org is over its monthly quota, refusing only the events', async () => {
    const capped = await createTestOrg(deps.prisma);
    await deps.prisma.organization.update({ where: { id: capped.org.id }, data: { monthlyEventQuota: 0 } });
    const cappedApp = await createTestApp(deps.prisma, capped.org.id, {});
    const id = hex();
    const sid = hex();
    const res = await send(
      `/api/${cappedApp.app.id}/envelope/?sentry_key=${cappedApp.ingestKey}`,
      envelope(
        { event_id: id },
        [{ type: 'event' }, errorEvent(id)],
        [{ type: 'session' }, { sid, init: true, started: new Date().toISOString(), status: 'ok' }],
      ),
    );
    expect(res).toMatchObject({ status: 200, body: { id } });
    expect(res.headers['x-sentry-rate-limits']).toBe('3600:session;transaction:organization:usage_exceeded');
    const crash = await until(async () => {
      const r = await deps.pool.query('SELECT id FROM crash_reports WHERE app_id = $1', [cappedApp.app.id]);
      return r.rows[0] as unknown;
    });
    expect(crash).toBeDefined();
    // The crash and the session went in one request: with both streams empty, an event let
    // through would be stored by now.
    await drained();
    const events = await deps.pool.query('SELECT count(*)::int AS n FROM events WHERE app_id = $1', [cappedApp.app.id]);
    expect(events.rows[0]).toEqual({ n: 0 });
  });

  it('lets browsers send from any page with CORS exposing the back-off headers', async () => {
    const preflight = await api.inject({
      method: 'OPTIONS',
      url: `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    const id = hex();
    const res = await api.inject({
      method: 'POST',
      url: `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
      headers: { origin: 'https://shop.example', 'content-type': 'text/plain;charset=UTF-8' },
      payload: envelope({ event_id: id }, [{ type: 'event' }, errorEvent(id)]),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-expose-headers']).toMatch(/X-Sentry-Rate-Limits/);
    expect(res.headers['access-control-expose-headers']).toMatch(/Retry-After/);
    const portal = await api.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(portal.headers['access-control-allow-origin']).toBeUndefined();
  });
});
