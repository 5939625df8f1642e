import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { hashDeviceId, runSubjectDeletion, runSubjectExport, storeAndGroupCrashes } from '@sightline/core';
import { createTestApiKey, testCrashRecord, until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// Whoever holds an app's public key (it is in every Sentry DSN) tries to act as one of the
// app's Sentry users: registers the user's id, or the address of an anonymous one, as a
// device and asks for "its" data, deletes it, opts it out. None of it reaches the Sentry
// user; the organization reaches that user's data by the app's user id.

let stack: Awaited<ReturnType<typeof startIngestStack>>;

beforeAll(async () => {
  stack = await startIngestStack('com.example.sentry-identity');
});

afterAll(async () => {
  await stack?.close();
});

const hex = () => randomUUID().replaceAll('-', '');
const VICTIM_ADDRESS = '198.51.100.23';

/** A Sentry error event with its session, as the browser SDK sends them, from `address`. */
async function sentryError(user: Record<string, unknown> | undefined, message: string, address = VICTIM_ADDRESS) {
  const eventId = hex();
  const traceId = hex();
  const items = [
    { type: 'event' },
    {
      event_id: eventId,
      timestamp: Date.now() / 1000 - 5,
      platform: 'javascript',
      release: 'web@3.1.0',
      ...(user ? { user } : {}),
      exception: { values: [{ type: 'Error', value: message }] },
      breadcrumbs: [{ category: 'navigation', message: `visited /orders of ${message}` }],
      contexts: { order: { note: `private note ${message}` } },
    },
    { type: 'transaction' },
    {
      event_id: hex(),
      type: 'transaction',
      transaction: '/checkout',
      start_timestamp: Date.now() / 1000 - 8,
      timestamp: Date.now() / 1000 - 7,
      contexts: { trace: { trace_id: traceId, span_id: hex().slice(0, 16), op: 'pageload' } },
      release: 'web@3.1.0',
      ...(user ? { user } : {}),
    },
    { type: 'session' },
    {
      sid: hex(),
      did: typeof user?.id === 'string' ? user.id : undefined,
      init: true,
      started: new Date().toISOString(),
      status: 'crashed',
      errors: 1,
      attrs: { release: 'web@3.1.0' },
    },
  ];
  const res = await stack.api.inject({
    method: 'POST',
    url: `/api/${stack.app.app.id}/envelope/`,
    remoteAddress: address,
    headers: {
      'content-type': 'application/x-sentry-envelope',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${stack.app.ingestKey}`,
    },
    payload: [JSON.stringify({ event_id: eventId }), ...items.map((x) => JSON.stringify(x))].join('\n'),
  });
  expect(res.statusCode).toBe(200);
  // Crash reports and events are written apart: both are stored before anyone asks for them.
  await until(async () => {
    const { rows } = await stack.deps.pool.query<{ one: number }>(
      `SELECT 1 AS one FROM events WHERE app_id = $1 AND type = 'transaction' AND data->>'trace_id' = $2`,
      [stack.app.app.id, traceId],
    );
    return rows[0];
  });
  return until(async () => {
    const { rows } = await stack.deps.pool.query<{ id: string; message: string }>(
      `SELECT id, message FROM crash_reports WHERE app_id = $1 AND context->'sentry'->>'event_id' = $2`,
      [stack.app.app.id, eventId],
    );
    return rows[0];
  });
}

const crashes = async (message: string) =>
  Number(
    (
      await stack.deps.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM crash_reports WHERE app_id = $1 AND message = $2',
        [stack.app.app.id, message],
      )
    ).rows[0]?.n,
  );

/** What an attacker does with the public key: claims `deviceId` and gets a device token for it. */
async function claim(deviceId: string): Promise<string> {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    remoteAddress: '192.0.2.66',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.app.ingestKey}` },
    payload: JSON.stringify({ app_id: stack.app.app.id, device_id: deviceId }),
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ token: string }>().token;
}

async function download(url: string): Promise<string> {
  const file = await stack.api.inject({ method: 'GET', url: url.replace(stack.deps.publicApiUrl, '') });
  expect(file.statusCode).toBe(200);
  return gunzipSync(file.rawPayload).toString();
}

/** The device token's own export, built as the worker builds it: the bundle's text. */
async function exportAs(token: string): Promise<string> {
  const asked = await stack.api.inject({
    method: 'GET',
    url: '/v1/privacy/export',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(asked.statusCode).toBe(202);
  const { request_id: id, download_url: url } = asked.json<{ request_id: string; download_url: string }>();
  await runSubjectExport(stack.deps.pool, id);
  return download(url);
}

async function graphql(key: string, query: string, variables: Record<string, unknown>) {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    payload: JSON.stringify({ query, variables }),
  });
  const body = res.json<{ data?: Record<string, { id: string; downloadUrl: string | null }>; errors?: unknown }>();
  expect(body.errors).toBeUndefined();
  return body.data!;
}

describe('a device token cannot be claimed for a Sentry user', () => {
  it("neither exports, deletes nor opts out a Sentry user's crashes by registering the user's id", async () => {
    await sentryError({ id: '42', email: 'victim@corp.example' }, 'card 4242 declined for victim');
    const token = await claim('42');

    const bundle = await exportAs(token);
    expect(JSON.parse(bundle)).toMatchObject({ crashReports: [], events: [], sessions: [] });
    expect(bundle).not.toContain('declined for victim');

    // What the token sends is filed under the device it was issued for, whatever the body names.
    const sent = await stack.api.inject({
      method: 'POST',
      url: '/v1/telemetry/crash',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify({ device_id: 'someone-else', crash: { type: 'Error', message: 'sent with the token' } }),
    });
    expect(sent.statusCode).toBe(202);
    const own = await until(async () => {
      const { rows } = await stack.deps.pool.query<{ device_id: string }>(
        'SELECT device_id FROM crash_reports WHERE id = $1',
        [sent.json<{ id: string }>().id],
      );
      return rows[0];
    });
    expect(own.device_id).toBe(hashDeviceId(stack.salt, '42'));

    const deleted = await stack.api.inject({
      method: 'DELETE',
      url: '/v1/privacy/data',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(deleted.statusCode).toBe(202);
    await runSubjectDeletion(stack.deps.pool, deleted.json<{ request_id: string }>().request_id);
    expect(await crashes('card 4242 declined for victim')).toBe(1);

    // Opting "the device" out would drop the Sentry user's next crash; it is stored.
    const optOut = await stack.api.inject({
      method: 'PUT',
      url: '/v1/privacy/settings',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await claim('42')}` },
      payload: JSON.stringify({ opted_out: true }),
    });
    expect(optOut.statusCode).toBe(200);
    await sentryError({ id: '42' }, 'second crash of victim after the opt-out');
  });

  it("does not reach an anonymous Sentry user's crashes by registering their address", async () => {
    await sentryError(undefined, 'anonymous crash at 198.51.100.23');
    for (const deviceId of [`ip:${VICTIM_ADDRESS}`, VICTIM_ADDRESS]) {
      const bundle = await exportAs(await claim(deviceId));
      expect(JSON.parse(bundle)).toMatchObject({ crashReports: [] });
      expect(bundle).not.toContain('anonymous crash');
    }
  });
});

describe('Sentry crashes stored before Sentry devices had their own namespace', () => {
  it('stay out of the export and deletion of the device id they were filed under', async () => {
    // As the Sentry route filed them then: under the id `POST /v1/devices/register` gives "legacy-9".
    const client = await stack.deps.pool.connect();
    try {
      await client.query('BEGIN');
      await storeAndGroupCrashes(client, [
        testCrashRecord(
          { orgId: stack.org.org.id, appId: stack.app.app.id },
          {
            source: 'sentry',
            deviceId: hashDeviceId(stack.salt, 'legacy-9'),
            userId: 'legacy-9',
            message: 'old crash of legacy-9',
          },
        ),
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const token = await claim('legacy-9');
    expect(await exportAs(token)).not.toContain('old crash of legacy-9');
    const deleted = await stack.api.inject({
      method: 'DELETE',
      url: '/v1/privacy/data',
      headers: { authorization: `Bearer ${token}` },
    });
    await runSubjectDeletion(stack.deps.pool, deleted.json<{ request_id: string }>().request_id);
    expect(await crashes('old crash of legacy-9')).toBe(1);
  });
});

describe("the organization reaches a Sentry user's data by the app's user id", () => {
  const EXPORT = `mutation($appId: ID!, $userId: String) {
    r: requestSubjectExport(appId: $appId, userId: $userId) { id downloadUrl } }`;
  const DELETE = `mutation($appId: ID!, $userId: String) {
    r: requestSubjectDeletion(appId: $appId, userId: $userId) { id downloadUrl } }`;
  const STATUS = 'query($id: ID!) { r: privacyRequest(id: $id) { id downloadUrl } }';

  async function exportUser(key: string, userId: string): Promise<string> {
    const { r } = await graphql(key, EXPORT, { appId: String(stack.app.app.id), userId });
    await runSubjectExport(stack.deps.pool, r!.id);
    const { r: done } = await graphql(key, STATUS, { id: r!.id });
    return download(done!.downloadUrl!);
  }

  it('exports and deletes the crashes of a Sentry user named by id, or by email alone', async () => {
    const key = (await createTestApiKey(stack.deps.prisma, stack.org.org.id, ['admin'])).secret;
    await sentryError({ id: 'u-7' }, 'crash of u-7');
    await sentryError({ email: 'ada@example.com' }, 'crash of ada');

    for (const [userId, message] of [
      ['u-7', 'crash of u-7'],
      ['ada@example.com', 'crash of ada'],
    ] as const) {
      const bundle = JSON.parse(await exportUser(key, userId)) as {
        crashReports: Array<{ message: string; breadcrumbs: unknown }>;
        events: Array<{ type: string; name: string; user_id: string | null }>;
      };
      expect(bundle.crashReports.map((c) => c.message)).toEqual([message]);
      // The page loads and sessions of that user: filed under the user's Sentry device, with the user's id if it has one.
      expect(bundle.events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'transaction', name: '/checkout', user_id: userId === 'u-7' ? 'u-7' : null }),
        ]),
      );
      expect(JSON.stringify(bundle.crashReports[0]?.breadcrumbs)).toContain(`visited /orders of ${message}`);

      const { r } = await graphql(key, DELETE, { appId: String(stack.app.app.id), userId });
      await runSubjectDeletion(stack.deps.pool, r!.id);
      expect(await crashes(message)).toBe(0);
    }
  });
});
