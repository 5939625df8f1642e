import { hashDeviceId } from '@sightline/core';
import { until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// A device's consent, end to end: the api takes its settings, ingestion still acknowledges,
// and the worker stores nothing the device refused.

let stack: Awaited<ReturnType<typeof startIngestStack>>;

beforeAll(async () => {
  stack = await startIngestStack('com.example.consent');
});

afterAll(async () => {
  await stack?.close();
});

async function deviceToken(rawId: string): Promise<string> {
  const res = await stack.api.inject({
    method: 'POST',
    url: '/v1/devices/register',
    headers: { authorization: `Bearer ${stack.app.ingestKey}`, 'content-type': 'application/json' },
    payload: { app_id: stack.app.app.id, device_id: rawId },
  });
  return res.json<{ token: string }>().token;
}

const send = (
  token: string,
  rawId: string,
  kind: 'events' | 'crash',
  marker: string,
  headers: Record<string, string> = {},
) =>
  stack.api.inject({
    method: 'POST',
    url: `/v1/telemetry/${kind}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    payload:
      kind === 'events'
        ? {
            device_id: rawId,
            events: [{ type: 'feature_used', timestamp: Date.now(), data: { feature_name: marker } }],
          }
        : {
            device_id: rawId,
            crash: { type: 'TypeError', message: marker, stack_trace: `TypeError: ${marker}\n    at f (/a.js:1:1)` },
          },
  });

const settings = (token: string, method: 'GET' | 'PUT', body?: unknown) =>
  stack.api.inject({
    method,
    url: '/v1/privacy/settings',
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: body } : {}),
  });

describe('device consent', () => {
  it('stores nothing from a device that opted out, and keeps crash reports when only analytics is off', async () => {
    const token = await deviceToken('consenting-phone');
    const hash = hashDeviceId(stack.salt, 'consenting-phone');
    const stored = (name: string) => stack.deps.prisma.event.count({ where: { deviceId: hash, name } });
    const crashes = (message: string) => stack.deps.prisma.crashReport.count({ where: { deviceId: hash, message } });

    expect((await settings(token, 'GET')).json()).toEqual({
      opted_out: false,
      analytics_enabled: true,
      crash_reports_enabled: true,
      app: { analytics_opt_in: false, respect_do_not_track: false },
    });
    expect((await send(token, 'consenting-phone', 'events', 'before')).statusCode).toBe(202);
    await until(async () => ((await stored('before')) === 1 ? true : undefined));

    // Usage analytics off, crash reports on.
    expect((await settings(token, 'PUT', { analytics_enabled: false })).json()).toMatchObject({
      analytics_enabled: false,
      crash_reports_enabled: true,
    });
    expect((await send(token, 'consenting-phone', 'events', 'no-analytics')).statusCode).toBe(202);
    expect((await send(token, 'consenting-phone', 'crash', 'still-reported')).statusCode).toBe(202);
    await until(async () => ((await crashes('still-reported')) === 1 ? true : undefined));

    // Opted out of everything.
    expect((await settings(token, 'PUT', { opted_out: true })).json()).toMatchObject({ opted_out: true });
    expect((await send(token, 'consenting-phone', 'crash', 'opted-out-crash')).statusCode).toBe(202);
    expect((await send(token, 'consenting-phone', 'events', 'opted-out')).statusCode).toBe(202);
    // A marker sent after everything else: once it is stored, the writer has passed the refused ones.
    const other = await deviceToken('other-phone');
    expect((await send(other, 'other-phone', 'events', 'after')).statusCode).toBe(202);
    expect((await send(other, 'other-phone', 'crash', 'after-crash')).statusCode).toBe(202);
    await until(async () =>
      (await stack.deps.prisma.event.count({ where: { name: 'after' } })) === 1 &&
      (await stack.deps.prisma.crashReport.count({ where: { message: 'after-crash' } })) === 1
        ? true
        : undefined,
    );
    expect([await stored('no-analytics'), await stored('opted-out'), await crashes('opted-out-crash')]).toEqual([
      0, 0, 0,
    ]);
  });

  it('counts usage only from devices that said yes when the app is opt-in, and honours Do-Not-Track', async () => {
    const appId = stack.app.app.id;
    await stack.deps.prisma.app.update({
      where: { id: appId },
      data: { analyticsOptIn: true, respectDoNotTrack: true },
    });
    try {
      const yes = await deviceToken('yes-phone');
      const silent = await deviceToken('silent-phone');
      expect((await settings(silent, 'GET')).json()).toMatchObject({
        analytics_enabled: false,
        app: { analytics_opt_in: true, respect_do_not_track: true },
      });
      expect((await settings(yes, 'PUT', { analytics_enabled: true })).json()).toMatchObject({
        analytics_enabled: true,
      });
      expect((await send(silent, 'silent-phone', 'events', 'never-asked')).statusCode).toBe(202);
      // A browser asking not to be tracked: acknowledged, and said to be left out.
      const dnt = await send(yes, 'yes-phone', 'events', 'do-not-track', { dnt: '1' });
      expect(dnt.json()).toEqual({ received: 0, dropped: { do_not_track: 1 } });
      const gpc = await send(yes, 'yes-phone', 'events', 'global-privacy-control', { 'sec-gpc': '1' });
      expect(gpc.json()).toMatchObject({ received: 0 });
      // Crash reports are not usage analytics: kept under both.
      expect((await send(silent, 'silent-phone', 'crash', 'crash-under-dnt', { dnt: '1' })).statusCode).toBe(202);
      expect((await send(yes, 'yes-phone', 'events', 'agreed')).statusCode).toBe(202);
      const count = (name: string) => stack.deps.prisma.event.count({ where: { appId, name } });
      await until(async () =>
        (await count('agreed')) === 1 &&
        (await stack.deps.prisma.crashReport.count({ where: { message: 'crash-under-dnt' } })) === 1
          ? true
          : undefined,
      );
      expect([await count('never-asked'), await count('do-not-track'), await count('global-privacy-control')]).toEqual([
        0, 0, 0,
      ]);
    } finally {
      await stack.deps.prisma.app.update({
        where: { id: appId },
        data: { analyticsOptIn: false, respectDoNotTrack: false },
      });
    }
  });

  it('refuses what a device recorded before it asked for deletion, and keeps what it records after', async () => {
    const token = await deviceToken('leaving-phone');
    const hash = hashDeviceId(stack.salt, 'leaving-phone');
    const post = (kind: 'events' | 'crash', marker: string, at: number) =>
      stack.api.inject({
        method: 'POST',
        url: `/v1/telemetry/${kind}`,
        headers: { authorization: `Bearer ${stack.app.ingestKey}`, 'content-type': 'application/json' },
        payload:
          kind === 'events'
            ? {
                device_id: 'leaving-phone',
                events: [{ type: 'feature_used', timestamp: at, data: { feature_name: marker } }],
              }
            : { device_id: 'leaving-phone', timestamp: at, crash: { type: 'Error', message: marker } },
      });
    const asked = await stack.api.inject({
      method: 'DELETE',
      url: '/v1/privacy/data',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asked.statusCode).toBe(202);
    const deletedAt = (await stack.deps.prisma.gdprRequest.findFirstOrThrow({ where: { subjectKey: hash } })).createdAt;
    // Still queued on the device when it asked (sent afterwards with the app's key), and new data.
    const before = deletedAt.getTime() - 60_000;
    const after = deletedAt.getTime() + 1_000;
    for (const [kind, marker, at] of [
      ['events', 'queued-before', before],
      ['crash', 'crash-before', before],
      ['events', 'recorded-after', after],
      ['crash', 'crash-after', after],
    ] as const) {
      expect((await post(kind, marker, at)).statusCode).toBe(202);
    }
    await until(async () =>
      (await stack.deps.prisma.event.count({ where: { deviceId: hash, name: 'recorded-after' } })) === 1 &&
      (await stack.deps.prisma.crashReport.count({ where: { deviceId: hash, message: 'crash-after' } })) === 1
        ? true
        : undefined,
    );
    expect(await stack.deps.prisma.event.count({ where: { deviceId: hash, name: 'queued-before' } })).toBe(0);
    expect(await stack.deps.prisma.crashReport.count({ where: { deviceId: hash, message: 'crash-before' } })).toBe(0);
  });

  it('explains bad settings and refuses credentials that are not a device', async () => {
    const token = await deviceToken('picky-phone');
    const bad = await settings(token, 'PUT', { opted_out: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/opted_out/);
    expect((await settings(token, 'PUT', {})).statusCode).toBe(400);
    expect((await settings(stack.app.ingestKey, 'GET')).statusCode).toBe(403);
  });
});
