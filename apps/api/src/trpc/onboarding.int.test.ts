import { randomUUID } from 'node:crypto';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServerDeps } from '../http/testing.ts';
import { createCallerFactory } from './init.ts';
import { appRouter } from './router.ts';

// The setup page's two queries: the app's `pk_` key shown again (it is public), and the
// newest stored event or crash ("waiting for your first event" → "received").

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;

const callerFor = (userId: string) => createCallerFactory(appRouter)({ deps, userId, ip: '198.51.100.9' });

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (e instanceof TRPCError ? e.code : String(e)),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  deps.publicApiUrl = 'https://telemetry.example.test';
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

describe('apps.ingestKey', () => {
  it('shows the pk_ key and DSN again, to any member, and the new key after a rotation', async () => {
    const { org, owner } = await createTestOrg(deps.prisma);
    const created = await createTestApp(deps.prisma, org.id);
    const appId = created.app.id;
    const caller = callerFor(owner.id);

    const first = await caller.apps.ingestKey({ orgId: org.id, appId });
    expect(first.key).toBe(created.ingestKey);
    expect(first.dsn).toBe(`https://${created.ingestKey}@telemetry.example.test/${appId}`);
    expect(first.endpoint).toBe('https://telemetry.example.test');
    // Asked again (a reload): the same key, not a new one.
    expect((await caller.apps.ingestKey({ orgId: org.id, appId })).key).toBe(created.ingestKey);

    const viewer = await deps.prisma.user.create({ data: { email: `viewer-${org.id}@example.test` } });
    await deps.prisma.membership.create({ data: { orgId: org.id, userId: viewer.id, role: 'VIEWER' } });
    expect((await callerFor(viewer.id).apps.ingestKey({ orgId: org.id, appId })).key).toBe(created.ingestKey);

    // Rotated with a grace period: the old key still works for a while, the page shows the new one.
    const rotated = await caller.apps.rotateIngestKey({ orgId: org.id, appId, graceHours: 24 });
    const after = await caller.apps.ingestKey({ orgId: org.id, appId });
    expect(after.key).toBe(rotated.ingestKey);
    expect(after.key).not.toBe(created.ingestKey);
  });

  it('says the key is not kept for keys created before keys were kept (null key, still its prefix)', async () => {
    const { org, owner } = await createTestOrg(deps.prisma);
    const created = await createTestApp(deps.prisma, org.id);
    // As the migration leaves a key that existed before it: the hash only.
    await deps.prisma.ingestKey.updateMany({ where: { appId: created.app.id }, data: { plaintext: null } });
    const legacy = await callerFor(owner.id).apps.ingestKey({ orgId: org.id, appId: created.app.id });
    expect(legacy).toMatchObject({ key: null, dsn: null, prefix: created.ingestKey.slice(0, 11) });
  });

  it("gives NOT_FOUND for another organization's app, named with either org", async () => {
    const mine = await createTestOrg(deps.prisma);
    const theirs = await createTestOrg(deps.prisma);
    const app = await createTestApp(deps.prisma, theirs.org.id);
    const caller = callerFor(mine.owner.id);
    expect(await codeOf(caller.apps.ingestKey({ orgId: mine.org.id, appId: app.app.id }))).toBe('NOT_FOUND');
    expect(await codeOf(caller.apps.ingestKey({ orgId: theirs.org.id, appId: app.app.id }))).toBe('NOT_FOUND');
    expect(await codeOf(caller.apps.latestReceived({ orgId: mine.org.id, appId: app.app.id }))).toBe('NOT_FOUND');
  });
});

describe('apps.latestReceived', () => {
  it('is null until an event is stored, then names the newest event or crash and when it arrived', async () => {
    const { org, owner } = await createTestOrg(deps.prisma);
    const { app } = await createTestApp(deps.prisma, org.id);
    const other = await createTestApp(deps.prisma, org.id);
    const caller = callerFor(owner.id);
    expect(await caller.apps.latestReceived({ orgId: org.id, appId: app.id })).toBeNull();

    // Another app's event is not this app's.
    const event = (appId: number, type: string, receivedAt: number) => ({
      orgId: org.id,
      appId,
      id: randomUUID(),
      occurredAt: receivedAt - 1_000,
      receivedAt,
      type,
      deviceId: 'setup-device',
    });
    const writer = createEventWriter(deps.pool);
    await writer.write([event(other.app.id, 'custom', Date.now())]);
    expect(await caller.apps.latestReceived({ orgId: org.id, appId: app.id })).toBeNull();

    const pageViewAt = Date.now() - 5_000;
    await writer.write([event(app.id, 'app_start', pageViewAt - 10_000), event(app.id, 'page_view', pageViewAt)]);
    expect(await caller.apps.latestReceived({ orgId: org.id, appId: app.id })).toEqual({
      kind: 'event',
      type: 'page_view',
      receivedAt: new Date(pageViewAt),
    });

    const crashAt = new Date();
    await deps.prisma.crashReport.create({
      data: {
        orgId: org.id,
        appId: app.id,
        occurredAt: crashAt,
        receivedAt: crashAt,
        deviceId: 'setup-device',
        crashType: 'TypeError',
      },
    });
    expect(await caller.apps.latestReceived({ orgId: org.id, appId: app.id })).toEqual({
      kind: 'crash',
      type: 'TypeError',
      receivedAt: crashAt,
    });
  });
});
