import { targetPolicySchema } from '@sightline/core';
import { QUEUES } from '@sightline/jobs';
import { createTestApiKey, createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { TRPCError } from '@trpc/server';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../http/server.ts';
import { createTestServerDeps } from '../http/testing.ts';
import { createCallerFactory } from './init.ts';
import { appRouter } from './router.ts';

// The portal's alert settings: channels (secrets shown once, never listed), rules, test
// alerts queued for the worker, the delivery log, and who may change them; where webhooks
// may point, hourly limits on what members make Sightline send, and suspension.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let org: Awaited<ReturnType<typeof createTestOrg>>;

const caller = (userId: string, with_ = deps) =>
  createCallerFactory(appRouter)({ deps: with_, userId, ip: '198.51.100.9' });

async function refusal(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  org = await createTestOrg(deps.prisma);
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

// Each test makes its own organization: exact lists must not depend on which tests ran first.
describe('alerts via tRPC', () => {
  it('creates channels and rules, shows a webhook secret once, and queues a test alert', async () => {
    const mine = await createTestOrg(deps.prisma);
    const appId = (await createTestApp(deps.prisma, mine.org.id)).app.id;
    const owner = caller(mine.owner.id);
    const orgId = mine.org.id;
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
      ['ops', { url: 'https://hooks.example.test/…' }],
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
    const mine = await createTestOrg(deps.prisma);
    const owner = caller(mine.owner.id);
    const orgId = mine.org.id;
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
    // The one valid channel made above, and none of the refused ones.
    expect((await caller(viewer.id).alerts.channels({ orgId })).map((c) => c.name)).toEqual(['e']);
  });
});

describe('where webhooks may point', () => {
  it.each([
    ['http://127.0.0.1:9/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a linkLocal address/],
    ['http://10.0.0.1/hook', /10\.0\.0\.1 is a private address/],
    ['http://localhost:8080/hook', /localhost is a loopback address/],
    ['http://[::ffff:127.0.0.1]/hook', /is a loopback address/],
    ['http://[fd00:ec2::254]/', /fd00:ec2::254 is a uniqueLocal address/],
    ['http://100.100.100.200/', /is a carrierGradeNat address/],
  ])('refuses a webhook to %s by default, naming why', async (url, why) => {
    const error = await refusal(
      caller(org.owner.id).alerts.createChannel({
        orgId: org.org.id,
        channel: { kind: 'WEBHOOK', name: 'probe', url },
      }),
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/^url must reach a public address: /);
    expect(error.message).toMatch(why);
    expect(error.message).toMatch(/ALERT_ALLOW_PRIVATE_TARGETS/);
  });

  it('accepts a private target the operator allows', async () => {
    const allowing = createTestServerDeps(db.url, undefined, {
      targets: targetPolicySchema.parse('10.0.0.0/8,localhost'),
    });
    try {
      for (const url of ['http://10.0.0.1/hook', 'http://localhost:8080/hook']) {
        const made = await caller(org.owner.id, allowing).alerts.createChannel({
          orgId: org.org.id,
          channel: { kind: 'WEBHOOK', name: 'internal', url },
        });
        expect(made.signingSecret).toMatch(/^whsec_/);
      }
    } finally {
      await allowing.close();
    }
  });

  it('shows a webhook URL to every member as its origin only, and stores it sealed', async () => {
    const orgId = org.org.id;
    const made = await caller(org.owner.id).alerts.createChannel({
      orgId,
      channel: { kind: 'WEBHOOK', name: 'slack-compat', url: 'https://hooks.example.test/services/T0/B0/xyzSECRETxyz' },
    });
    const viewer = await deps.prisma.user.create({ data: { email: `masked-viewer-${orgId}@example.test` } });
    await deps.prisma.membership.create({ data: { orgId, userId: viewer.id, role: 'VIEWER' } });
    for (const who of [viewer.id, org.owner.id]) {
      const listed = await caller(who).alerts.channels({ orgId });
      expect(listed.find((c) => c.id === made.channel.id)?.config).toEqual({ url: 'https://hooks.example.test/…' });
      expect(JSON.stringify(listed)).not.toContain('xyzSECRETxyz');
    }
    const stored = await deps.prisma.notificationChannel.findUniqueOrThrow({ where: { id: made.channel.id } });
    expect(JSON.stringify(stored.config)).not.toContain('xyzSECRETxyz');
    expect(Buffer.from(stored.urlCiphertext!).toString('latin1')).not.toContain('xyzSECRETxyz');
  });
});

describe('limits and suspension on what members make Sightline send', () => {
  let limited: ReturnType<typeof createTestServerDeps>;
  beforeAll(() => {
    limited = createTestServerDeps(db.url, undefined, {
      outboundLimits: { testAlertsPerHour: 2, invitationsPerHour: 2, emailRecipientsPerHour: 5 },
    });
  });
  afterAll(() => limited?.close());

  /** A new organization (its own allowance) whose owner has a webhook channel. */
  async function orgWithWebhook() {
    const mine = await createTestOrg(limited.prisma);
    const owner = caller(mine.owner.id, limited);
    const orgId = mine.org.id;
    const hook = await owner.alerts.createChannel({
      orgId,
      channel: { kind: 'WEBHOOK', name: 'ops', url: 'https://hooks.example.test/x' },
    });
    return { owner, orgId, hook };
  }

  it('answers 429 after the hourly test alerts of an organization, naming the limit', async () => {
    const { owner, orgId, hook } = await orgWithWebhook();
    for (let i = 0; i < 2; i++) await owner.alerts.sendTestAlert({ orgId, channelId: hook.channel.id });
    const error = await refusal(owner.alerts.sendTestAlert({ orgId, channelId: hook.channel.id }));
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toMatch(
      /too many test alerts for this organization: at most 2 an hour \(ALERT_TEST_PER_HOUR\)/,
    );
    const { retryAfter } = error.cause as { retryAfter?: number };
    expect(retryAfter).toBeGreaterThan(0);
    // A sliding hour: room comes back once this hour ends and enough of it has slid out of
    // the estimate, so the wait can pass 3,600 s but never two windows.
    expect(retryAfter).toBeLessThanOrEqual(7200);
    expect(await limited.prisma.notificationDelivery.count({ where: { orgId } })).toBe(2);
    // Another organization has its own allowance.
    const other = await orgWithWebhook();
    await other.owner.alerts.sendTestAlert({ orgId: other.orgId, channelId: other.hook.channel.id });
  });

  it('counts the recipients of a test email against the hourly email recipients', async () => {
    const mine = await createTestOrg(limited.prisma);
    const owner = caller(mine.owner.id, limited);
    const orgId = mine.org.id;
    const email = await owner.alerts.createChannel({
      orgId,
      channel: { kind: 'EMAIL', name: 'team', recipients: ['a@example.test', 'b@example.test', 'c@example.test'] },
    });
    await owner.alerts.sendTestAlert({ orgId, channelId: email.channel.id });
    const error = await refusal(owner.alerts.sendTestAlert({ orgId, channelId: email.channel.id }));
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect(error.message).toMatch(
      /too many email recipients for this organization: at most 5 an hour \(EMAIL_RECIPIENTS_PER_HOUR\)/,
    );
  });

  it('answers 429 with Retry-After over GraphQL after the hourly invitations', async () => {
    const mine = await createTestOrg(limited.prisma);
    const key = await createTestApiKey(limited.prisma, mine.org.id, ['admin']);
    const api = await buildServer(limited);
    try {
      const invite = (n: number) =>
        api.inject({
          method: 'POST',
          url: '/graphql',
          headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
          payload: { query: `mutation { inviteMember(email: "hire${n}@example.test", role: VIEWER) { email } }` },
        });
      for (const n of [1, 2])
        expect((await invite(n)).json()).toEqual({ data: { inviteMember: { email: `hire${n}@example.test` } } });
      const refused = await invite(3);
      expect(refused.statusCode).toBe(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      // A sliding hour: room comes back once this hour ends and enough of it has slid out of
      // the estimate, so the wait can pass 3,600 s but never two windows.
      expect(retryAfter).toBeLessThanOrEqual(7200);
      const body = refused.json<{ errors: Array<{ message: string; extensions: { code: string } }> }>();
      expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
      expect(body.errors[0]?.message).toMatch(
        /too many invitations for this organization: at most 2 an hour \(INVITATIONS_PER_HOUR\)/,
      );
      expect(await limited.prisma.invitation.count({ where: { orgId: mine.org.id } })).toBe(2);
    } finally {
      await api.close();
    }
  });

  it('refuses test alerts and invitations from members of a suspended organization', async () => {
    const { owner, orgId, hook } = await orgWithWebhook();
    await limited.prisma.organization.update({
      where: { id: orgId },
      data: { suspended: true, suspendedReason: 'abuse' },
    });
    for (const attempt of [
      owner.alerts.sendTestAlert({ orgId, channelId: hook.channel.id }),
      owner.members.invite({ orgId, email: 'late.hire@example.test', role: 'MEMBER' }),
    ]) {
      const error = await refusal(attempt);
      expect(error.code).toBe('FORBIDDEN');
      expect(error.message).toMatch(/this organization is suspended/);
    }
    expect(await limited.prisma.notificationDelivery.count({ where: { orgId } })).toBe(0);
    expect(await limited.prisma.invitation.count({ where: { orgId } })).toBe(0);
  });
});
