import { randomUUID } from 'node:crypto';
import { storeAndGroupCrashes, type CrashRecord } from '@sightline/core';
import { createTestApiKey, createTestApp, createTestOrg, testCrashRecord } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

// The seed's crash REST endpoints over real grouped crashes: list with filters, detail,
// and the status workflow (resolve in a version → regression; ignore for N occurrences).

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let org: Awaited<ReturnType<typeof createTestOrg>>;
let app: Awaited<ReturnType<typeof createTestApp>>;
let readKey: string;
let writeKey: string;

const stack = (fn: string, line: number) => `TypeError: boom\n    at ${fn} (/srv/app/dist/${fn}.js:${line}:3)`;

async function crash(fn: string, version: string, extra: Partial<CrashRecord> = {}) {
  const client = await deps.pool.connect();
  try {
    await client.query('BEGIN');
    const [outcome] = await storeAndGroupCrashes(client, [
      testCrashRecord(
        { orgId: org.org.id, appId: app.app.id },
        {
          occurredAt: Date.now(),
          deviceId: `device-${Math.random()}`,
          appVersion: version,
          message: `boom in ${fn}`,
          stackTrace: stack(fn, 10 + Math.floor(Math.random() * 50)),
          context: { screen: 'checkout' },
          os: 'Android',
          osVersion: '14',
          deviceModel: 'Pixel 8',
          ...extra,
        },
      ),
    ]);
    await client.query('COMMIT');
    return outcome!;
  } finally {
    client.release();
  }
}

interface GroupJson {
  culprit: string;
  status: string;
  occurrence_count: number;
  sample_stack_trace?: string;
}
interface Reply {
  crashes: GroupJson[];
  total: number;
  page: number;
  limit: number;
  crash_group: GroupJson;
  recent_occurrences: Array<Record<string, unknown>>;
  daily: Array<{ day: string; occurrences: number; devices: number }>;
  versions: Array<{ app_version: string | null; occurrences: number }>;
  devices: Array<{ device: string | null; os: string | null; occurrences: number; devices: number }>;
  error: { message: string };
}

async function call(method: 'GET' | 'PATCH', url: string, key: string, body?: unknown) {
  const res = await api.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { payload: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: res.json<Reply>() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  org = await createTestOrg(deps.prisma);
  app = await createTestApp(deps.prisma, org.org.id, { bundleId: 'com.example.crashy' });
  readKey = (await createTestApiKey(deps.prisma, org.org.id, ['read'])).secret;
  writeKey = (await createTestApiKey(deps.prisma, org.org.id, ['write'])).secret;
});

afterAll(async () => {
  await api?.close();
  await deps?.close();
  await db?.drop();
});

describe('GET /v1/apps/:id/crashes', () => {
  it('lists groups with filters, sorting and pages, by app id or bundle id', async () => {
    for (let i = 0; i < 3; i++) await crash('checkout', '2.0.0');
    await crash('search', '2.1.0');
    const all = await call('GET', `/v1/apps/${app.app.id}/crashes?sort=occurrences`, readKey);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(2);
    expect(all.body.crashes.map((c) => [c.culprit, c.occurrence_count])).toEqual([
      ['checkout (checkout.js)', 3],
      ['search (search.js)', 1],
    ]);
    const byVersion = await call('GET', `/v1/apps/com.example.crashy/crashes?version=2.1.0`, readKey);
    expect(byVersion.body.crashes.map((c) => c.culprit)).toEqual(['search (search.js)']);
    const searched = await call('GET', `/v1/apps/${app.app.id}/crashes?search=CHECKOUT`, readKey);
    expect(searched.body.total).toBe(1);
    const page2 = await call('GET', `/v1/apps/${app.app.id}/crashes?sort=occurrences&limit=1&page=2`, readKey);
    expect(page2.body).toMatchObject({ total: 2, page: 2, limit: 1 });
    expect(page2.body.crashes[0]?.culprit).toBe('search (search.js)');
    expect((await call('GET', `/v1/apps/${app.app.id}/crashes?status=bogus`, readKey)).status).toBe(400);
    expect((await call('GET', `/v1/apps/${app.app.id}/crashes?limit=1000`, readKey)).status).toBe(400);
  });
});

describe('GET /v1/apps/:id/crashes/:fingerprint', () => {
  it('charts the last 30 days by UTC day, with the versions and devices hit most', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const group = await crash('render', '4.0.0', { deviceId: 'pixel-a' });
    await crash('render', '4.0.0', { deviceId: 'pixel-a' });
    await crash('render', '4.0.1', { deviceId: 'pixel-b' });
    for (const deviceId of ['iphone-a', 'iphone-b'])
      await crash('render', '4.1.0', {
        deviceId,
        occurredAt: now - 5 * day,
        os: 'iOS',
        deviceModel: 'iPhone15,2',
      });
    await crash('render', '3.9.0', { occurredAt: now - 40 * day }); // older than the chart
    const { status, body } = await call('GET', `/v1/apps/${app.app.id}/crashes/${group.fingerprint}`, readKey);
    expect(status).toBe(200);
    expect(body.crash_group.occurrence_count).toBe(6);
    expect(body.daily).toHaveLength(30);
    expect(body.daily.at(-1)).toEqual({ day: new Date(now).toISOString().slice(0, 10), occurrences: 3, devices: 2 });
    expect(body.daily.at(-6)).toEqual({
      day: new Date(now - 5 * day).toISOString().slice(0, 10),
      occurrences: 2,
      devices: 2,
    });
    expect(body.daily.reduce((sum, d) => sum + d.occurrences, 0)).toBe(5);
    expect(body.versions).toEqual([
      { app_version: '4.0.0', occurrences: 2 },
      { app_version: '4.1.0', occurrences: 2 },
      { app_version: '4.0.1', occurrences: 1 },
    ]);
    expect(body.devices).toEqual([
      { device: 'Pixel 8', os: 'Android', occurrences: 3, devices: 2 },
      { device: 'iPhone15,2', os: 'iOS', occurrences: 2, devices: 2 },
    ]);
  });
});

describe('status workflow', () => {
  it('resolves in a version, regresses on a later one, and records who did it', async () => {
    const group = await crash('payment', '3.0.0');
    const url = `/v1/apps/${app.app.id}/crashes/${group.fingerprint}`;
    expect((await call('PATCH', url, readKey, { status: 'resolved' })).status).toBe(403);
    const resolved = await call('PATCH', url, writeKey, { status: 'resolved', resolved_in_version: '3.1.0' });
    expect(resolved).toMatchObject({
      status: 200,
      body: { crash_group: { status: 'resolved', resolved_in_version: '3.1.0' } },
    });

    await crash('payment', '3.0.5');
    expect((await call('GET', url, readKey)).body.crash_group.status).toBe('resolved');
    const again = await crash('payment', '3.1.2');
    expect(again.regressed).toBe(true);
    const detail = await call('GET', url, readKey);
    expect(detail.body.crash_group).toMatchObject({ status: 'regressed', occurrence_count: 3 });
    expect(detail.body.crash_group.sample_stack_trace).toMatch(/at payment/);
    expect(detail.body.recent_occurrences).toHaveLength(3);
    expect(detail.body.recent_occurrences[0]).toMatchObject({ app_version: '3.1.2', context: { screen: 'checkout' } });

    const audit = await deps.prisma.auditLog.findFirst({ where: { orgId: org.org.id, action: 'crash_group.updated' } });
    expect(audit).toMatchObject({ actorType: 'API_KEY' });
  });

  it('ignores until N more occurrences, then reopens', async () => {
    const group = await crash('profile', '1.0.0');
    const url = `/v1/apps/${app.app.id}/crashes/${group.fingerprint}`;
    const ignored = await call('PATCH', url, writeKey, { status: 'ignored', ignore_for_occurrences: 2 });
    expect(ignored.body.crash_group).toMatchObject({ status: 'ignored', ignored_until_count: 3 });
    await crash('profile', '1.0.0');
    expect((await call('GET', url, readKey)).body.crash_group.status).toBe('ignored');
    expect((await crash('profile', '1.0.0')).unignored).toBe(true);
    expect((await call('GET', url, readKey)).body.crash_group.status).toBe('open');
  });

  it('names what is wrong in a change, and finds nothing of other apps or orgs', async () => {
    const group = await crash('settings', '1.0.0');
    const url = `/v1/apps/${app.app.id}/crashes/${group.fingerprint}`;
    const cases: Array<[unknown, RegExp]> = [
      [{ status: 'bogus' }, /status/],
      [{ statuz: 'resolved' }, /statuz/],
      [{}, /at least one/],
      [{ status: 'open', resolved_in_version: '1.0' }, /resolvedInVersion/],
      [{ status: 'ignored', ignore_for_occurrences: -1 }, /ignoreForOccurrences/],
      [{ assignee_id: 'nobody' }, /user id/],
    ];
    for (const [body, message] of cases) {
      const res = await call('PATCH', url, writeKey, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const stranger = await call('PATCH', url, writeKey, { assignee_id: randomUUID() });
    expect(stranger.status).toBe(404);

    const other = await createTestOrg(deps.prisma);
    const theirApp = await createTestApp(deps.prisma, other.org.id);
    const theirKey = (await createTestApiKey(deps.prisma, other.org.id, ['write'])).secret;
    expect((await call('GET', url, theirKey)).status).toBe(404);
    expect((await call('PATCH', url, theirKey, { status: 'resolved' })).status).toBe(404);
    expect((await call('GET', `/v1/apps/${theirApp.app.id}/crashes/${group.fingerprint}`, writeKey)).status).toBe(404);
    expect((await call('GET', `/v1/apps/${theirApp.app.id}/crashes`, writeKey)).status).toBe(404);
    expect((await call('GET', `/v1/apps/${app.app.id}/crashes/${'0'.repeat(32)}`, writeKey)).status).toBe(404);
    expect((await deps.prisma.crashGroup.findUniqueOrThrow({ where: { id: group.groupId } })).status).toBe('open');
  });
});
