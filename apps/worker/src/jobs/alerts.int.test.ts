import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createAlertRule,
  createChannel,
  createLogger,
  createSmtpMailer,
  createTestAlert,
  targetPolicySchema,
  type AlertPayload,
  type CrashRecord,
  verifyWebhookSignature,
  type OrgActor,
} from '@sightline/core';
import { createTestApp, createTestOrg, testCrashRecord, until } from '@sightline/core/testing';
import { createPool, createPrismaClient, type PrismaClient } from '@sightline/db';
import { dayIndexOf, ensureEventPartitions } from '@sightline/db/event-store';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlerts } from './alerts.ts';
import { createCrashBatchHandler } from './crash-writer.ts';

// Crash alerts end to end with real parts: the crash writer groups crashes, rules decide,
// BullMQ delivers to a local SMTP server, a local stand-in for Slack's Web API (the real
// @slack/web-api client pointed at it) and a webhook receiver that checks the signature.

const SECRET = 'alerts-test-secret-0123456789abcdef0123456789';
// The receivers listen on 127.0.0.1, which webhooks may reach only when the operator allows it.
const LOCAL_TARGETS = targetPolicySchema.parse('127.0.0.1');
let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let alerts: Awaited<ReturnType<typeof startAlerts>>;
let actor: OrgActor;
let appId: number;
const servers: Array<{ close(cb: () => void): unknown }> = [];

const mails: string[] = [];
const slackCalls: Array<{ auth: string | undefined; body: URLSearchParams }> = [];
const webhooks: Array<{ valid: boolean; body: AlertPayload }> = [];
let webhookSecret = '';

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function crashEntry(fn: string, version: string, app = appId, extra: Partial<CrashRecord> = {}) {
  const record = testCrashRecord(
    { orgId: actor.orgId, appId: app },
    {
      occurredAt: Date.now(),
      deviceId: `device-${Math.floor(Math.random() * 50)}`,
      appVersion: version,
      message: `Cannot read properties of undefined (reading '${fn}')`,
      stackTrace: `TypeError: boom\n    at ${fn} (/srv/app/dist/cart.js:${10 + Math.floor(Math.random() * 90)}:3)`,
      ...extra,
    },
  );
  return { id: randomUUID(), payload: JSON.stringify(record) };
}

const deliveries = () =>
  prisma.notificationDelivery.findMany({
    where: { orgId: actor.orgId },
    include: { channel: { select: { kind: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });

/** Waits until every delivery has been sent or has failed for good. */
const settled = (count: number) =>
  until(async () => {
    const all = await deliveries();
    return all.length >= count && all.every((d) => d.status === 'SENT' || d.status === 'FAILED') ? all : undefined;
  }, 30);

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  pool = createPool({ connectionString: db.url, max: 4 });

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push(data);
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  servers.push(smtp);
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const slackUrl = await listen(
    createServer((req, res) => {
      void readBody(req).then((raw) => {
        const body = new URLSearchParams(raw);
        slackCalls.push({ auth: req.headers.authorization, body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: req.url === '/api/chat.postMessage', channel: body.get('channel'), ts: '1.2' }));
      });
    }),
  );
  const webhookUrl = await listen(
    createServer((req, res) => {
      void readBody(req).then((raw) => {
        const signature = req.headers['x-sightline-signature'];
        webhooks.push({
          valid: verifyWebhookSignature(webhookSecret, typeof signature === 'string' ? signature : undefined, raw),
          body: JSON.parse(raw) as AlertPayload,
        });
        res.end('ok');
      });
    }),
  );
  const brokenUrl = await listen(
    createServer((_req, res) => {
      res.statusCode = 500;
      res.end('down');
    }),
  );

  const org = await createTestOrg(prisma);
  appId = (await createTestApp(prisma, org.org.id, { name: 'Shop' })).app.id;
  actor = { orgId: org.org.id, role: 'OWNER', userId: org.owner.id, audit: { type: 'USER', id: org.owner.id } };
  const email = await createChannel(prisma, actor, SECRET, {
    kind: 'EMAIL',
    name: 'oncall',
    recipients: ['oncall@example.test'],
  });
  const slack = await createChannel(prisma, actor, SECRET, {
    kind: 'SLACK',
    name: 'slack',
    token: 'xoxb-test-token',
    channel: '#crashes',
  });
  const hook = await createChannel(
    prisma,
    actor,
    SECRET,
    { kind: 'WEBHOOK', name: 'hook', url: `${webhookUrl}/hook` },
    { policy: LOCAL_TARGETS },
  );
  webhookSecret = hook.signingSecret!;
  await createChannel(
    prisma,
    actor,
    SECRET,
    { kind: 'WEBHOOK', name: 'broken', url: `${brokenUrl}/hook` },
    { policy: LOCAL_TARGETS },
  );
  await createAlertRule(prisma, actor, {
    name: 'new crashes',
    appId,
    kind: 'NEW_CRASH_GROUP',
    channelIds: [email.channel.id, slack.channel.id, hook.channel.id],
  });
  await createAlertRule(prisma, actor, {
    name: 'regressions',
    kind: 'REGRESSION',
    channelIds: [email.channel.id, hook.channel.id],
  });
  await createAlertRule(prisma, actor, {
    name: 'spikes',
    appId,
    kind: 'CRASH_SPIKE',
    conditions: { threshold: 500, windowMinutes: 60 },
    channelIds: [hook.channel.id],
  });

  alerts = await startAlerts({
    prisma,
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: `test-alerts-${randomUUID().slice(0, 8)}`,
    log: createLogger('alerts-test', 'silent'),
    appSecret: SECRET,
    mailer: createSmtpMailer(`smtp://127.0.0.1:${smtpPort}`, 'Sightline <alerts@example.test>'),
    webUrl: 'http://portal.test',
    slackApiUrl: `${slackUrl}/api/`,
    webhooks: { policy: LOCAL_TARGETS },
    backoffMs: 50,
    sweepEveryMs: 0,
  });
});

afterAll(async () => {
  await alerts?.close();
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  await pool?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

describe('crash alerts', () => {
  it('sends one alert per channel for a burst of 1,000 identical crashes, plus one spike alert', async () => {
    const writers = [0, 1].map(() =>
      createCrashBatchHandler({
        pool,
        deadLetter: () => Promise.resolve(),
        log: createLogger('writer-test', 'silent'),
        onGrouped: alerts.onGrouped,
      }),
    );
    const batches = Array.from({ length: 10 }, () =>
      Array.from({ length: 100 }, () => crashEntry('checkout', '1.0.0')),
    );
    // Two writers at once, as two worker processes would.
    await Promise.all(
      [0, 1].map((w) =>
        (async () => {
          for (const batch of batches.filter((_, i) => i % 2 === w)) await writers[w]!(batch);
        })(),
      ),
    );

    const sent = await settled(4);
    expect(sent.map((d) => [d.channel.name, (d.payload as { kind: string }).kind]).sort()).toEqual([
      ['hook', 'CRASH_SPIKE'],
      ['hook', 'NEW_CRASH_GROUP'],
      ['oncall', 'NEW_CRASH_GROUP'],
      ['slack', 'NEW_CRASH_GROUP'],
    ]);
    expect(sent.every((d) => d.status === 'SENT')).toBe(true);
    expect(await prisma.crashReport.count({ where: { orgId: actor.orgId } })).toBe(1000);

    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: \[Sightline\] New crash in Shop: TypeError/);
    expect(mails[0]).toMatch(/To: oncall@example\.test/);
    expect(mails[0]).toContain('http://portal.test/o/');

    expect(slackCalls).toHaveLength(1);
    const slack = slackCalls[0]!;
    expect(slack.auth).toBe('Bearer xoxb-test-token');
    expect(slack.body.get('channel')).toBe('#crashes');
    const blocks = JSON.parse(slack.body.get('blocks') ?? '[]') as Array<{
      type: string;
      elements?: Array<{ url: string }>;
    }>;
    expect(blocks[0]?.type).toBe('section');
    expect(blocks[1]?.elements?.[0]?.url).toMatch(/^http:\/\/portal\.test\/o\/.+\/crashes\/[0-9a-f]{32}$/);

    expect(webhooks.map((w) => [w.body.kind, w.valid]).sort()).toEqual([
      ['CRASH_SPIKE', true],
      ['NEW_CRASH_GROUP', true],
    ]);
  });

  it('sends a regression alert when a resolved crash comes back in a newer version', async () => {
    const group = await prisma.crashGroup.findFirstOrThrow({ where: { orgId: actor.orgId } });
    await prisma.crashGroup.update({
      where: { id: group.id },
      data: { status: 'resolved', resolvedInVersion: '1.1.0' },
    });
    const writer = createCrashBatchHandler({
      pool,
      deadLetter: () => Promise.resolve(),
      log: createLogger('writer-test', 'silent'),
      onGrouped: alerts.onGrouped,
    });
    await writer([crashEntry('checkout', '1.0.9')]);
    await writer([crashEntry('checkout', '1.2.0')]);
    const sent = await settled(6);
    expect(
      sent
        .slice(4)
        .map((d) => [d.channel.name, (d.payload as { kind: string }).kind])
        .sort(),
    ).toEqual([
      ['hook', 'REGRESSION'],
      ['oncall', 'REGRESSION'],
    ]);
    expect(mails.at(-1)).toMatch(/Subject: \[Sightline\] Crash regressed in Shop/);
    expect(webhooks.at(-1)).toMatchObject({ valid: true, body: { kind: 'REGRESSION' } });
  });

  it('retries a failing channel with backoff, records why, and flags it after repeated failures', async () => {
    const broken = await prisma.notificationChannel.findFirstOrThrow({ where: { orgId: actor.orgId, name: 'broken' } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await createTestAlert(prisma, actor, broken.id));
    await alerts.enqueue(ids);
    const failed = await until(async () => {
      const rows = await prisma.notificationDelivery.findMany({ where: { id: { in: ids } } });
      return rows.every((r) => r.status === 'FAILED') ? rows : undefined;
    }, 30);
    expect(failed.every((r) => r.attempts === 5 && r.lastError === 'http_5xx')).toBe(true);
    const channel = await prisma.notificationChannel.findUniqueOrThrow({ where: { id: broken.id } });
    expect(channel.consecutiveFailures).toBe(3);
    expect(channel.flaggedAt).toBeInstanceOf(Date);

    const slack = await prisma.notificationChannel.findFirstOrThrow({ where: { orgId: actor.orgId, name: 'slack' } });
    await alerts.enqueue([await createTestAlert(prisma, actor, slack.id)]);
    await until(() => Promise.resolve(slackCalls.length === 2 ? true : undefined), 15);
    expect(slackCalls[1]!.body.get('text')).toMatch(/^Test alert for slack/);
  });
});

describe('alerts without noise: digests, quiet hours, metric rules, the outbox', () => {
  const writer = () =>
    createCrashBatchHandler({
      pool,
      deadLetter: () => Promise.resolve(),
      log: createLogger('writer-test', 'silent'),
      onGrouped: alerts.onGrouped,
    });
  const channelNamed = (name: string) =>
    prisma.notificationChannel.findFirstOrThrow({ where: { orgId: actor.orgId, name } });
  const ruleDeliveries = async (ruleName: string) => {
    const rule = await prisma.alertRule.findFirstOrThrow({ where: { orgId: actor.orgId, name: ruleName } });
    return prisma.notificationDelivery.findMany({ where: { ruleId: rule.id }, orderBy: { createdAt: 'asc' } });
  };
  const newApp = async (name: string) => (await createTestApp(prisma, actor.orgId, { name })).app.id;

  it('sends the first alert of a digest window at once and the rest as one digest when it ends', async () => {
    const games = await newApp('Games');
    const inbox = await createChannel(prisma, actor, SECRET, {
      kind: 'EMAIL',
      name: 'digest inbox',
      recipients: ['digest@example.test'],
    });
    await createAlertRule(prisma, actor, {
      name: 'games crashes',
      appId: games,
      kind: 'NEW_CRASH_GROUP',
      digestMinutes: 10,
      channelIds: [inbox.channel.id],
    });
    const toDigest = () => mails.filter((m) => m.includes('To: digest@example.test'));
    const write = writer();
    for (const fn of ['jump', 'shoot', 'pause']) await write([crashEntry(fn, '2.0.0', games)]);

    await until(() => Promise.resolve(toDigest().length === 1 ? true : undefined), 15);
    expect(toDigest()[0]).toMatch(/Subject: \[Sightline\] New crash in Games: TypeError/);
    // The mail server has the message a moment before the worker records it as sent.
    const settled = async () => {
      const current = await ruleDeliveries('games crashes');
      return current.some((r) => r.status === 'SENDING' || r.status === 'PENDING') ? undefined : current;
    };
    let rows = await until(settled, 15);
    expect(rows.map((r) => r.status).sort()).toEqual(['HELD', 'HELD', 'SENT']);

    // Within the window the sweep sends nothing; after it, one digest of the two held alerts.
    expect(await alerts.sweep(Date.now() + 5 * 60_000)).toBe(0);
    expect(await alerts.sweep(Date.now() + 11 * 60_000)).toBeGreaterThanOrEqual(1);
    await until(() => Promise.resolve(toDigest().length === 2 ? true : undefined), 15);
    const digest = toDigest()[1]!;
    expect(digest).toMatch(/Subject: \[Sightline\] Digest: 2 alerts from games crashes/);
    expect(digest.match(/New crash in Games: TypeError/g)).toHaveLength(2);
    rows = await until(settled, 15);
    const digestRow = rows.find((r) => (r.payload as unknown as AlertPayload).kind === 'DIGEST');
    expect(digestRow?.status).toBe('SENT');
    expect(rows.filter((r) => r.status === 'DIGESTED').every((r) => r.digestId === digestRow?.id)).toBe(true);
    expect(rows.filter((r) => r.status === 'DIGESTED')).toHaveLength(2);
    // Nothing left to send: a later sweep adds no mail.
    await alerts.sweep(Date.now() + 30 * 60_000);
    expect(toDigest()).toHaveLength(2);
  });

  it('holds alerts during quiet hours and sends them when the quiet hours end', async () => {
    const maps = await newApp('Maps');
    const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);
    const hook = await channelNamed('hook');
    await createAlertRule(prisma, actor, {
      name: 'maps at night',
      appId: maps,
      kind: 'NEW_CRASH_GROUP',
      quietHours: { start: hhmm(Date.now() - 3_600_000), end: hhmm(Date.now() + 3_600_000), timeZone: 'UTC' },
      channelIds: [hook.id],
    });
    const before = webhooks.length;
    await writer()([crashEntry('zoom', '3.0.0', maps)]);
    expect((await ruleDeliveries('maps at night')).map((r) => r.status)).toEqual(['HELD']);
    expect(await alerts.sweep()).toBe(0);

    expect(await alerts.sweep(Date.now() + 2 * 3_600_000)).toBeGreaterThanOrEqual(1);
    await until(() => Promise.resolve(webhooks.length > before ? true : undefined), 15);
    // A single held alert goes out as itself, not as a digest of one.
    expect(webhooks.slice(before).map((w) => [w.body.kind, w.body.title, w.valid])).toEqual([
      ['NEW_CRASH_GROUP', 'New crash in Maps: TypeError', true],
    ]);
  });

  it('alerts when an event metric crosses its threshold and when crash-free users drop', async () => {
    const web = await newApp('Storefront');
    const hook = await channelNamed('hook');
    await createAlertRule(prisma, actor, {
      name: 'slow LCP',
      appId: web,
      kind: 'PERF_THRESHOLD',
      conditions: { eventType: 'web_vital', metricName: 'LCP', aggregate: 'p75', threshold: 2500, windowMinutes: 30 },
      channelIds: [hook.id],
    });
    await createAlertRule(prisma, actor, {
      name: 'crash-free',
      appId: web,
      kind: 'CRASH_FREE_DROP',
      conditions: { crashFreeBelow: 99, windowMinutes: 60, minUsers: 20 },
      channelIds: [hook.id],
    });
    const now = Date.now();
    await ensureEventPartitions(pool, [dayIndexOf(now), dayIndexOf(now - 3_600_000)]);
    const insertEvents = (rows: Array<[string, string | null, number | null, string]>) =>
      pool.query(
        `INSERT INTO events (org_id, app_id, id, occurred_at, received_at, type, name, value, device_id)
         SELECT $1, $2, gen_random_uuid(), now() - interval '5 minutes', now(), t, n, v, d
         FROM unnest($3::text[], $4::text[], $5::float8[], $6::text[]) AS u(t, n, v, d)`,
        [actor.orgId, web, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
      );
    // 19 LCP samples: fewer than the rule's 20, so no alert yet even though they are slow.
    const lcp = Array.from({ length: 40 }, (_, i) => 1000 + i * 100); // 1000…4900 ms, p75 ≈ 3925
    await insertEvents(lcp.slice(0, 19).map((v, i) => ['web_vital', 'LCP', v + 2000, `device-${i}`]));
    // CLS values must not count towards LCP.
    await insertEvents(lcp.map((_, i) => ['web_vital', 'CLS', 0.1, `device-${i}`]));
    const before = webhooks.length;
    await alerts.sweep(now);
    expect((await ruleDeliveries('slow LCP')).length).toBe(0);
    expect((await ruleDeliveries('crash-free')).length).toBe(0); // 40 users, none crashed

    await insertEvents(lcp.slice(19).map((v, i) => ['web_vital', 'LCP', v, `device-${19 + i}`]));
    const write = writer();
    await write(
      [0, 1].map((i) => crashEntry('render', '1.0.0', web, { deviceId: `device-${i}`, occurredAt: now - 60_000 })),
    );
    await alerts.sweep(now);
    await alerts.sweep(now + 60_000); // same throttle window: no second alert
    await until(() => Promise.resolve(webhooks.length >= before + 2 ? true : undefined), 15);
    const got = webhooks.slice(before).map((w) => w.body);
    const perf = got.find((b) => b.kind === 'PERF_THRESHOLD');
    const p75 = (
      await pool.query<{ p: number }>(
        `SELECT percentile_cont(0.75) WITHIN GROUP (ORDER BY value) AS p FROM events WHERE app_id = $1 AND name = 'LCP'`,
        [web],
      )
    ).rows[0]!.p;
    expect(perf?.metric).toMatchObject({ name: 'web_vital LCP p75', threshold: 2500, samples: 40 });
    expect(perf?.metric?.value).toBeCloseTo(p75, 6);
    expect(perf?.title).toBe('web_vital LCP p75 above 2500 in Storefront');
    const crashFree = got.find((b) => b.kind === 'CRASH_FREE_DROP');
    expect(crashFree?.metric).toMatchObject({ name: 'crash_free_users', value: 95, threshold: 99, samples: 40 });
    expect(got).toHaveLength(2);
  });

  it('queues alerts from the outbox when the queue was unreachable as the batch committed', async () => {
    const radio = await newApp('Radio');
    const hook = await channelNamed('hook');
    await createAlertRule(prisma, actor, {
      name: 'radio',
      appId: radio,
      kind: 'NEW_CRASH_GROUP',
      channelIds: [hook.id],
    });
    const unreachable = createCrashBatchHandler({
      pool,
      deadLetter: () => Promise.resolve(),
      log: createLogger('writer-test', 'silent'),
      onGrouped: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    });
    await unreachable([crashEntry('tune', '1.0.0', radio)]);
    expect(await prisma.crashReport.count({ where: { appId: radio } })).toBe(1);
    expect(await ruleDeliveries('radio')).toHaveLength(0);
    expect(await prisma.alertOutbox.count({ where: { appId: radio } })).toBe(1);

    const before = webhooks.length;
    await alerts.sweep(Date.now() + 60_000);
    await until(() => Promise.resolve(webhooks.length > before ? true : undefined), 15);
    expect(webhooks.at(-1)?.body).toMatchObject({ kind: 'NEW_CRASH_GROUP', title: 'New crash in Radio: TypeError' });
    expect(await prisma.alertOutbox.count({ where: { appId: radio } })).toBe(0);
    // The sweep running again (or on another worker) sends nothing twice.
    await alerts.sweep(Date.now() + 120_000);
    expect(await ruleDeliveries('radio')).toHaveLength(1);
  });
});
