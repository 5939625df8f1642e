import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createChannel,
  createLogger,
  createLogMailer,
  createTestAlert,
  DELIVERY_ERROR_CATEGORIES,
  listChannels,
  listDeliveries,
  sealSecret,
  targetPolicySchema,
  type OrgActor,
  type ResolveHost,
} from '@sightline/core';
import { createTestOrg, until } from '@sightline/core/testing';
import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlerts } from './alerts.ts';

// Outbound calls aimed where a tenant chose: webhooks reach only checked public addresses
// (the address checked is the one connected to), follow no redirects, give up on slow
// receivers, carry Standard Webhooks signatures, and the delivery log says what went wrong
// only as a category. Slack text from telemetry arrives escaped. No internet here: a
// resolver seam answers for the test's host names, and every receiver listens on 127.0.0.1.

const SECRET = 'outbound-test-secret-0123456789abcdef012345';
let db: TestDatabase;
let prisma: PrismaClient;
let alerts: Awaited<ReturnType<typeof startAlerts>>;
let owner: OrgActor;
let viewer: OrgActor;
const servers: Server[] = [];

const received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
const slackCalls: URLSearchParams[] = [];
const ports: Record<string, number> = {};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
  });

async function listen(name: string, handler: Parameters<typeof createServer>[1]): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  ports[name] = (server.address() as AddressInfo).port;
}

// DNS as the worker sees it at send time: every name answers 127.0.0.1 (a rebinding
// attacker's name included); only the names the operator listed may reach it.
const sendTimeDns: ResolveHost = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
// DNS as the api saw it when the channel was made: a public address.
const creationDns: ResolveHost = () => Promise.resolve([{ address: '93.184.216.34', family: 4 }]);
const operatorPolicy = targetPolicySchema.parse('receiver.example,redirect.example,slow.example');

const hook = (host: string, port: string, path = '/hook') => `http://${host}:${ports[port]}${path}`;

async function webhookChannel(name: string, url: string) {
  return createChannel(
    prisma,
    owner,
    SECRET,
    { kind: 'WEBHOOK', name, url },
    { policy: operatorPolicy, resolve: creationDns },
  );
}

/** Sends a test alert on the channel and waits until it is sent or has failed for good. */
async function testAlertOutcome(channelId: string) {
  const id = await createTestAlert(prisma, owner, channelId);
  await alerts.enqueue([id]);
  return until(async () => {
    const row = await prisma.notificationDelivery.findUniqueOrThrow({ where: { id } });
    return row.status === 'SENT' || row.status === 'FAILED' ? row : undefined;
  }, 30);
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
  await listen('receiver', (req, res) => {
    void readBody(req).then((body) => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.end('ok');
    });
  });
  await listen('redirect', (_req, res) => {
    res.statusCode = 302;
    res.setHeader('location', hook('receiver.example', 'receiver', '/followed'));
    res.end();
  });
  // Answers nothing until the client gives up (the socket closes when the test ends).
  await listen('slow', () => undefined);
  await listen('slack', (req, res) => {
    void readBody(req).then((raw) => {
      slackCalls.push(new URLSearchParams(raw));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, channel: 'C1', ts: '1.2' }));
    });
  });

  const org = await createTestOrg(prisma);
  owner = { orgId: org.org.id, role: 'OWNER', userId: org.owner.id, audit: { type: 'USER', id: org.owner.id } };
  const viewerUser = await prisma.user.create({ data: { email: `viewer-${randomUUID()}@example.test` } });
  await prisma.membership.create({ data: { orgId: owner.orgId, userId: viewerUser.id, role: 'VIEWER' } });
  viewer = { orgId: owner.orgId, role: 'VIEWER', userId: viewerUser.id, audit: { type: 'USER', id: viewerUser.id } };

  alerts = await startAlerts({
    prisma,
    connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: `test-outbound-${randomUUID().slice(0, 8)}`,
    log: createLogger('outbound-test', 'silent'),
    appSecret: SECRET,
    mailer: createLogMailer(createLogger('outbound-mail', 'silent')),
    webUrl: 'http://portal.test',
    slackApiUrl: `http://127.0.0.1:${ports.slack}/api/`,
    webhooks: { policy: operatorPolicy, resolve: sendTimeDns, connectTimeoutMs: 1000, totalTimeoutMs: 400 },
    backoffMs: 10,
    sweepEveryMs: 0,
  });
});

afterAll(async () => {
  await alerts?.close();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  await prisma?.$disconnect();
  await db?.drop();
});

describe('webhooks', () => {
  it('connects to the address it checked and signs per Standard Webhooks, verified by the standardwebhooks package', async () => {
    const channel = await webhookChannel('receiver', hook('receiver.example', 'receiver', '/hook/T123/secret-path'));
    const delivery = await testAlertOutcome(channel.channel.id);
    expect(delivery).toMatchObject({ status: 'SENT', lastError: null });
    const got = received.find((r) => r.path === '/hook/T123/secret-path');
    // receiver.example exists in no DNS: the request reached 127.0.0.1 only through the pinned address.
    expect(got?.headers.host).toBe(`receiver.example:${ports.receiver}`);
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(got?.headers[h])]),
    );
    expect(headers['webhook-id']).toBe(delivery.id);
    const verified = new Webhook(channel.signingSecret!).verify(got!.body, headers);
    expect(verified).toMatchObject({ id: delivery.id, kind: 'TEST' });
    expect(() => new Webhook(channel.signingSecret!).verify(got!.body.replace('TEST', 'TSET'), headers)).toThrow();
  });

  it('refuses to send where the name answers a private address at send time', async () => {
    const channel = await webhookChannel('rebinding', 'http://hooks.example.com/hook');
    const delivery = await testAlertOutcome(channel.channel.id);
    expect(delivery).toMatchObject({ status: 'FAILED', lastError: 'blocked_address' });
    expect(received.some((r) => r.headers.host?.startsWith('hooks.example.com'))).toBe(false);
  });

  it('does not follow a redirect', async () => {
    const channel = await webhookChannel('redirect', hook('redirect.example', 'redirect'));
    const delivery = await testAlertOutcome(channel.channel.id);
    expect(delivery).toMatchObject({ status: 'FAILED', lastError: 'redirect_refused' });
    expect(received.filter((r) => r.path === '/followed')).toEqual([]);
  });

  it('gives up on a receiver that does not answer', async () => {
    const channel = await webhookChannel('slow', hook('slow.example', 'slow'));
    const started = Date.now();
    const delivery = await testAlertOutcome(channel.channel.id);
    expect(delivery).toMatchObject({ status: 'FAILED', lastError: 'timeout', attempts: 5 });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('shows viewers masked URLs and failure categories only', async () => {
    const channels = await listChannels(prisma, viewer);
    const webhooks = channels.filter((c) => c.kind === 'WEBHOOK');
    expect(webhooks.map((c) => (c.config as { url: string }).url).sort()).toEqual(
      [
        'http://hooks.example.com/…',
        `http://receiver.example:${ports.receiver}/…`,
        `http://redirect.example:${ports.redirect}/…`,
        `http://slow.example:${ports.slow}/…`,
      ].sort(),
    );
    expect(JSON.stringify(channels)).not.toContain('secret-path');
    const log = await listDeliveries(prisma, viewer);
    const errors = log.map((d) => d.lastError).filter((e): e is string => e !== null);
    expect(errors.sort()).toEqual(['blocked_address', 'redirect_refused', 'timeout']);
    expect(errors.every((e) => (DELIVERY_ERROR_CATEGORIES as readonly string[]).includes(e))).toBe(true);
    const stored = await prisma.notificationChannel.findMany({ where: { orgId: owner.orgId, kind: 'WEBHOOK' } });
    expect(
      stored.every((c) => c.urlCiphertext && !Buffer.from(c.urlCiphertext).toString('latin1').includes('secret-path')),
    ).toBe(true);
  });

  it('seals the clear URL of a channel made before sealing on its next delivery', async () => {
    const url = hook('receiver.example', 'receiver', '/legacy/token-in-path');
    const legacy = await prisma.notificationChannel.create({
      data: {
        orgId: owner.orgId,
        kind: 'WEBHOOK',
        name: 'legacy',
        config: { url },
        secretCiphertext: new Uint8Array(sealSecret(SECRET, 'whsec_bGVnYWN5LXNlY3JldC1rZXktMTIzNDU2')),
      },
    });
    expect((await listChannels(prisma, viewer)).find((c) => c.id === legacy.id)?.config).toEqual({
      url: `http://receiver.example:${ports.receiver}/…`,
    });
    expect(await testAlertOutcome(legacy.id)).toMatchObject({ status: 'SENT' });
    expect(received.some((r) => r.path === '/legacy/token-in-path')).toBe(true);
    const row = await prisma.notificationChannel.findUniqueOrThrow({ where: { id: legacy.id } });
    expect(row.urlCiphertext).not.toBeNull();
    expect(JSON.stringify(row.config)).not.toContain('token-in-path');
  });
});

describe('Slack', () => {
  it('escapes crash text so <!channel> and forged links arrive as text', async () => {
    const slack = await createChannel(prisma, owner, SECRET, {
      kind: 'SLACK',
      name: 'slack',
      token: 'xoxb-test-token',
      channel: '#crashes',
    });
    const delivery = await prisma.notificationDelivery.create({
      data: {
        orgId: owner.orgId,
        channelId: slack.channel.id,
        dedupeKey: `hostile:${randomUUID()}`,
        payload: {
          kind: 'NEW_CRASH_GROUP',
          title: 'New crash in <!here> Shop: TypeError',
          text: '<!channel> session expired, <http://evil.example/login|sign in again> & retry',
          link: 'http://portal.test/crashes/1',
          app: null,
          group: null,
        },
      },
    });
    await alerts.enqueue([delivery.id]);
    const call = await until(() => Promise.resolve(slackCalls.at(-1)), 15);
    const text = call.get('text') ?? '';
    const blocks = call.get('blocks') ?? '';
    expect(text).toBe(
      'New crash in &lt;!here&gt; Shop: TypeError: &lt;!channel&gt; session expired, &lt;http://evil.example/login|sign in again&gt; &amp; retry',
    );
    for (const sent of [text, blocks]) {
      expect(sent).not.toContain('<!channel>');
      expect(sent).not.toContain('<!here>');
      expect(sent).not.toContain('<http://evil.example');
    }
    expect((JSON.parse(blocks) as Array<{ text: { text: string } }>)[0]?.text.text).toContain(
      '&lt;http://evil.example/login|sign in again&gt;',
    );
  });
});
