import { QUEUES } from '@sightline/core';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { TRPCError } from '@trpc/server';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServerDeps } from '../http/testing.ts';
import { createCallerFactory } from './init.ts';
import { appRouter } from './router.ts';

// The portal's alert settings: channels (secrets shown once, never listed), rules, test
// alerts queued for the worker, the delivery log, and who may change them.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let org: Awaited<ReturnType<typeof createTestOrg>>;
let appId: number;

const caller = (userId: string) => createCallerFactory(appRouter)({ deps, userId, ip: '198.51.100.9' });

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  org = await createTestOrg(deps.prisma);
  appId = (await createTestApp(deps.prisma, org.org.id)).app.id;
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

describe('alerts via tRPC', () => {
  it('creates channels and rules, shows a webhook secret once, and queues a test alert', async () => {
    const owner = caller(org.owner.id);
    const orgId = org.org.id;
    const hook = await owner.alerts.createChannel({
      orgId,
      channel: { kind: 'WEBHOOK', name: 'ops', url: 'https://hooks.example.test/x' },
    });
    expect(hook.signingSecret).toMatch(/^whsec_/);
    const slack = await owner.alerts.createChannel({
      orgId,
      channel: { kind: 'SLACK', name: 'slack', token: 'xoxb-secret-token', channel: '#crashes' },
    });
    const listed = await owner.alerts.channels({ orgId });
    expect(listed.map((c) => [c.name, c.config])).toEqual([
      ['ops', { url: 'https://hooks.example.test/x' }],
      ['slack', { channel: '#crashes' }],
    ]);
    expect(JSON.stringify(listed)).not.toContain('xoxb-secret-token');
    const stored = await deps.prisma.notificationChannel.findUniqueOrThrow({ where: { id: slack.channel.id } });
    expect(Buffer.from(stored.secretCiphertext!).toString('utf8')).not.toContain('xoxb');

    const rule = await owner.alerts.createRule({
      orgId,
      rule: {
        name: 'spikes',
        appId,
        kind: 'CRASH_SPIKE',
        conditions: { threshold: 50 },
        channelIds: [hook.channel.id],
      },
    });
    expect(rule).toMatchObject({
      kind: 'CRASH_SPIKE',
      throttleMinutes: 60,
      channels: [{ channelId: hook.channel.id }],
    });

    const { deliveryId } = await owner.alerts.sendTestAlert({ orgId, channelId: slack.channel.id });
    const log = await owner.alerts.deliveries({ orgId, channelId: slack.channel.id });
    expect(log).toMatchObject([{ id: deliveryId, status: 'PENDING', attempts: 0 }]);
    const queue = new Queue(QUEUES.alerts, {
      connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
      prefix: `${deps.namespace}-bull`,
    });
    try {
      expect((await queue.getJob(deliveryId))?.data).toEqual({ deliveryId });
    } finally {
      await queue.close();
    }
  });

  it('names bad settings, and keeps viewers out', async () => {
    const owner = caller(org.owner.id);
    const orgId = org.org.id;
    const bad = async (promise: Promise<unknown>, message: RegExp) => {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code).toBe('BAD_REQUEST');
      expect((error as TRPCError).message).toMatch(message);
    };
    await bad(
      owner.alerts.createChannel({ orgId, channel: { kind: 'SLACK', name: 's', token: 'nope', channel: '#c' } }),
      /Slack bot token/,
    );
    await bad(
      owner.alerts.createChannel({ orgId, channel: { kind: 'WEBHOOK', name: 'w', url: 'ftp://x' } }),
      /http\(s\) URL/,
    );
    await bad(
      owner.alerts.createChannel({ orgId, channel: { kind: 'EMAIL', name: 'e', recipients: ['not-an-email'] } }),
      /email/,
    );
    const channel = await owner.alerts.createChannel({
      orgId,
      channel: { kind: 'EMAIL', name: 'e', recipients: ['a@example.test'] },
    });
    await bad(
      owner.alerts.createRule({ orgId, rule: { name: 'r', kind: 'CRASH_SPIKE', channelIds: [channel.channel.id] } }),
      /threshold or conditions.baselineFactor/,
    );

    const viewer = await deps.prisma.user.create({ data: { email: `viewer-${orgId}@example.test` } });
    await deps.prisma.membership.create({ data: { orgId, userId: viewer.id, role: 'VIEWER' } });
    const refused = await caller(viewer.id)
      .alerts.createChannel({ orgId, channel: { kind: 'EMAIL', name: 'v', recipients: ['v@example.test'] } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((refused as TRPCError).code).toBe('FORBIDDEN');
    expect(await caller(viewer.id).alerts.channels({ orgId })).toHaveLength(3);
  });
});
