import { inviteMember, registerDevice, runAggregation, storeAndGroupCrashes } from '@sightline/core';
import { createEventWriter } from '@sightline/db/event-store';
import { randomUUID } from 'node:crypto';
import { createTestApiKey, createTestApp, createTestOrg, testCrashRecord } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import type { FastifyInstance } from 'fastify';
import { buildSchema, isNonNullType, isScalarType, type GraphQLNamedType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../http/server.ts';
import { createTestServerDeps } from '../http/testing.ts';
import { typeDefs } from './schema.graphql.ts';

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;
let mine: Awaited<ReturnType<typeof createTestOrg>>;
let theirs: Awaited<ReturnType<typeof createTestOrg>>;
let adminKey: string;
let readKey: string;

interface GqlResult {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function gql(
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult & { status: number }> {
  const res = await api.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    payload: { query, variables },
  });
  return { status: res.statusCode, ...res.json<GqlResult>() };
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  api = await buildServer(deps);
  mine = await createTestOrg(deps.prisma);
  theirs = await createTestOrg(deps.prisma);
  adminKey = (await createTestApiKey(deps.prisma, mine.org.id, ['admin'])).secret;
  readKey = (await createTestApiKey(deps.prisma, mine.org.id, ['read'])).secret;
});

afterAll(async () => {
  await api.close();
  await deps.close();
  await db.drop();
});

describe('GraphQL API', () => {
  it('serves GraphiQL on GET and refuses operations without a key', async () => {
    const page = await api.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/graphiql/i);
    expect((await gql(null, '{ apps { id } }')).status).toBe(401);
    expect((await gql('sk_notARealKeyAtAll', '{ apps { id } }')).status).toBe(401);
  });

  it('creates, reads, updates an app and lists only its own org', async () => {
    await createTestApp(deps.prisma, theirs.org.id);
    const created = await gql(
      adminKey,
      'mutation { createApp(name: "Shop", bundleId: "com.acme.shop", platform: WEB) { app { id name } ingestKey } }',
    );
    expect(created.errors).toBeUndefined();
    const { app, ingestKey } = created.data!.createApp as { app: { id: string }; ingestKey: string };
    expect(ingestKey).toMatch(/^pk_/);
    const updated = await gql(
      adminKey,
      'mutation($id: ID!) { updateApp(id: $id, input: { sampleRate: 0.5 }) { name sampleRate } }',
      { id: app.id },
    );
    expect(updated.data?.updateApp).toEqual({ name: 'Shop', sampleRate: 0.5 });
    const listed = await gql(readKey, '{ organization { id } apps { id } }');
    expect(listed.data).toEqual({ organization: { id: mine.org.id }, apps: [{ id: app.id }] });
  });

  it('keeps a read-only key read-only, with the error code in extensions', async () => {
    const res = await gql(readKey, 'mutation { createApiKey(name: "x", scopes: [admin]) { secret } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const made = await gql(
      adminKey,
      'mutation { createApiKey(name: "ci", scopes: [read]) { apiKey { name scopes lastUsedAt } secret } }',
    );
    expect(made.data?.createApiKey).toMatchObject({ apiKey: { name: 'ci', scopes: ['read'], lastUsedAt: null } });
    const bad = await gql(adminKey, 'mutation { createApp(name: "", bundleId: "has spaces") { ingestKey } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(bad.errors?.[0]?.message).toMatch(/bundleId/);
  });

  it('rejects a query too expensive to run (nested lists under the alias limit)', async () => {
    // Each spread is priced in full, so a few fragments multiply into a large cost.
    const spreads = (name: string) => Array.from({ length: 12 }, () => `...${name}`).join(' ');
    const res = await gql(
      adminKey,
      `{ apps { ...C } } fragment A on App { id name bundleId platform allowedOrigins sampleRate }
       fragment B on App { ${spreads('A')} } fragment C on App { ${spreads('B')} }`,
    );
    expect(res.status).toBe(400);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.message).toMatch(/cost/i);
  });

  it('refuses thousands of aliased mutations, oversized documents, directive floods and batches with 400', async () => {
    const before = await deps.prisma.apiKey.count({ where: { orgId: mine.org.id } });
    const mutations = Array.from(
      { length: 500 },
      (_, i) => `k${i}: createApiKey(name: "flood", scopes: [read]) { secret }`,
    );
    const flood = await gql(adminKey, `mutation { ${mutations.join(' ')} }`);
    expect(flood.status).toBe(400);
    expect(flood.errors?.[0]?.message).toMatch(/token limit/i);
    const aliased = await gql(adminKey, `mutation { ${mutations.slice(0, 25).join(' ')} }`);
    expect(aliased.status).toBe(400);
    expect(aliased.errors?.[0]?.message).toMatch(/aliases limit of 20/i);
    expect(await deps.prisma.apiKey.count({ where: { orgId: mine.org.id } })).toBe(before);

    const directives = Array.from({ length: 30 }, () => '@include(if: true)').join(' ');
    const flagged = await gql(readKey, `{ apps ${directives} { id } }`);
    expect(flagged.status).toBe(400);
    expect(flagged.errors?.[0]?.message).toMatch(/directives limit/i);

    const batch = await api.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${readKey}` },
      payload: Array.from({ length: 50 }, () => ({ query: '{ apps { id } }' })),
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.body).toMatch(/batching is not supported/i);
  });
});

// Every field that takes an id, with a call using another org's id. The first test reads the
// schema, so a new id-taking field without a case here fails the suite.
const CROSS_TENANT: Record<string, (ids: Foreign) => string> = {
  'Query.app': (f) => `{ app(id: "${f.appId}") { id } }`,
  'Mutation.updateApp': (f) => `mutation { updateApp(id: "${f.appId}", input: { name: "Hijacked" }) { id } }`,
  'Mutation.deleteApp': (f) => `mutation { deleteApp(id: "${f.appId}") }`,
  'Mutation.rotateIngestKey': (f) => `mutation { rotateIngestKey(appId: "${f.appId}") { ingestKey } }`,
  'Mutation.revokeApiKey': (f) => `mutation { revokeApiKey(id: "${f.apiKeyId}") }`,
  'Mutation.changeMemberRole': (f) => `mutation { changeMemberRole(userId: "${f.userId}", role: VIEWER) { role } }`,
  'Mutation.removeMember': (f) => `mutation { removeMember(userId: "${f.userId}") }`,
  'Mutation.revokeInvitation': (f) => `mutation { revokeInvitation(id: "${f.invitationId}") }`,
  'Mutation.revokeDeviceTokens': (f) =>
    `mutation { revokeDeviceTokens(appId: "${f.appId}", deviceId: "${f.deviceId}") }`,
  'Query.alertDeliveries': (f) => `{ alertDeliveries(channelId: "${f.channelId}") { id } }`,
  'Mutation.deleteAlertChannel': (f) => `mutation { deleteAlertChannel(id: "${f.channelId}") }`,
  'Mutation.sendTestAlert': (f) => `mutation { sendTestAlert(channelId: "${f.channelId}") }`,
  'Mutation.deleteAlertRule': (f) => `mutation { deleteAlertRule(id: "${f.ruleId}") }`,
  'Query.crashGroups': (f) => `{ crashGroups(appId: "${f.appId}") { total } }`,
  'Query.crashGroup': (f) =>
    `{ crashGroup(appId: "${f.appId}", fingerprint: "${f.fingerprint}") { group { status } } }`,
  'Mutation.updateCrashGroup': (f) =>
    `mutation { updateCrashGroup(appId: "${f.appId}", fingerprint: "${f.fingerprint}", change: { status: resolved }) { status } }`,
  'Mutation.commentOnCrashGroup': (f) =>
    `mutation { commentOnCrashGroup(appId: "${f.appId}", fingerprint: "${f.fingerprint}", body: "hi") { id } }`,
  'Query.analyticsEvents': (f) => `{ analyticsEvents(appId: "${f.appId}") { data { count } } }`,
  'Query.analyticsVersions': (f) => `{ analyticsVersions(appId: "${f.appId}") { version } }`,
  'Query.analyticsHealth': (f) => `{ analyticsHealth(appId: "${f.appId}") { dau } }`,
  'Query.analyticsPerformance': (f) =>
    `{ analyticsPerformance(appId: "${f.appId}", eventType: "web_vital", name: "LCP") { overall { p75 } } }`,
  'Query.analyticsSlowest': (f) => `{ analyticsSlowest(appId: "${f.appId}", eventType: "web_vital") { name } }`,
  'Query.analyticsBreakdown': (f) => `{ analyticsBreakdown(appId: "${f.appId}", by: os) { value } }`,
  'Query.analyticsFunnel': (f) =>
    `{ analyticsFunnel(appId: "${f.appId}", steps: [{ type: "a" }, { type: "b" }]) { steps { devices } } }`,
  'Query.analyticsRetention': (f) => `{ analyticsRetention(appId: "${f.appId}") { cohorts { size } } }`,
  'Query.analyticsPaths': (f) => `{ analyticsPaths(appId: "${f.appId}", from: "/") { next { count } } }`,
  'Query.analyticsFeatureAdoption': (f) => `{ analyticsFeatureAdoption(appId: "${f.appId}") { feature } }`,
  'Query.privacyRequests': (f) => `{ privacyRequests(appId: "${f.appId}") { id } }`,
  'Query.privacyRequest': (f) => `{ privacyRequest(id: "${f.requestId}") { status } }`,
  'Mutation.requestSubjectExport': (f) => `mutation { requestSubjectExport(appId: "${f.appId}", userId: "u") { id } }`,
  'Mutation.requestSubjectDeletion': (f) =>
    `mutation { requestSubjectDeletion(appId: "${f.appId}", deviceId: "theirs") { id } }`,
  'Mutation.deleteAppData': (f) => `mutation { deleteAppData(appId: "${f.appId}", confirm: "x") { id } }`,
  'Query.analyticsSegment': (f) => `{ analyticsSegment(appId: "${f.appId}", filters: { os: "iOS" }) { devices } }`,
};

interface Foreign {
  appId: number;
  apiKeyId: string;
  userId: string;
  invitationId: string;
  deviceId: string;
  fingerprint: string;
  channelId: string;
  ruleId: string;
  requestId: string;
}

function idTakingFields(): string[] {
  const schema = buildSchema(typeDefs);
  const isId = (t: GraphQLNamedType) => isScalarType(t) && t.name === 'ID';
  return [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
    type
      ? Object.values(type.getFields())
          .filter((field) =>
            field.args.some((a) =>
              isId(isNonNullType(a.type) ? (a.type.ofType as GraphQLNamedType) : (a.type as GraphQLNamedType)),
            ),
          )
          .map((field) => `${type.name}.${field.name}`)
      : [],
  );
}

describe('GraphQL tenancy', () => {
  it('has a cross-tenant case for every field that takes an id', () => {
    expect(Object.keys(CROSS_TENANT).sort()).toEqual(idTakingFields().sort());
  });

  it.each(Object.entries(CROSS_TENANT))(
    "%s with another org's id: NOT_FOUND and nothing changes",
    async (_field, operation) => {
      const app = await createTestApp(deps.prisma, theirs.org.id);
      const key = await createTestApiKey(deps.prisma, theirs.org.id, ['read']);
      const owner = {
        orgId: theirs.org.id,
        role: 'OWNER' as const,
        userId: theirs.owner.id,
        audit: { type: 'USER' as const, id: theirs.owner.id },
      };
      const { invitation } = await inviteMember(deps.prisma, owner, {
        email: `pending-${app.app.id}@example.test`,
        role: 'MEMBER',
      });
      const device = await registerDevice(
        deps.prisma,
        (await deps.resolver.resolve(app.ingestKey))!,
        { app_id: app.app.id, device_id: 'theirs' },
        deps.secret,
      );
      const group = await deps.prisma.crashGroup.create({
        data: {
          orgId: theirs.org.id,
          appId: app.app.id,
          fingerprint: `fp${app.app.id}`,
          crashType: 'TypeError',
          firstSeenAt: new Date(),
          lastSeenAt: new Date(),
        },
      });
      const channel = await deps.prisma.notificationChannel.create({
        data: { orgId: theirs.org.id, kind: 'EMAIL', name: 'theirs', config: { recipients: ['them@example.test'] } },
      });
      const rule = await deps.prisma.alertRule.create({
        data: { orgId: theirs.org.id, name: 'theirs', kind: 'NEW_CRASH_GROUP' },
      });
      const request = await deps.prisma.gdprRequest.create({
        data: { orgId: theirs.org.id, appId: app.app.id, kind: 'DELETE', scope: 'APP', requestedByType: 'SYSTEM' },
      });
      const foreign: Foreign = {
        requestId: request.id,
        channelId: channel.id,
        ruleId: rule.id,
        fingerprint: group.fingerprint,
        appId: app.app.id,
        apiKeyId: key.apiKey.id,
        userId: theirs.owner.id,
        invitationId: invitation.id,
        deviceId: device.deviceId,
      };
      const res = await gql(adminKey, operation(foreign));
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const stored = await deps.prisma.app.findUniqueOrThrow({ where: { id: app.app.id } });
      expect(stored).toMatchObject({ name: app.app.name, deletedAt: null });
      expect(await deps.resolver.resolve(app.ingestKey)).not.toBeNull();
      expect(await deps.resolver.resolve(key.secret)).not.toBeNull();
      const membership = await deps.prisma.membership.findFirst({
        where: { orgId: theirs.org.id, userId: theirs.owner.id },
      });
      expect(membership?.role).toBe('OWNER');
      const stillPending = await deps.prisma.invitation.findUniqueOrThrow({ where: { id: invitation.id } });
      expect(stillPending.revokedAt).toBeNull();
      expect(await deps.prisma.deviceToken.count({ where: { appId: app.app.id, revokedAt: null } })).toBe(1);
      expect(await deps.prisma.crashGroup.findUniqueOrThrow({ where: { id: group.id } })).toMatchObject({
        status: 'open',
      });
      expect(await deps.prisma.crashGroupComment.count({ where: { groupId: group.id } })).toBe(0);
      expect(await deps.prisma.notificationChannel.count({ where: { id: channel.id } })).toBe(1);
      expect(await deps.prisma.alertRule.count({ where: { id: rule.id } })).toBe(1);
      expect(await deps.prisma.notificationDelivery.count({ where: { channelId: channel.id } })).toBe(0);
      expect(await deps.prisma.gdprRequest.findMany({ where: { appId: app.app.id } })).toMatchObject([
        { status: 'PENDING' },
      ]);
    },
  );
});

describe('GraphQL analytics', () => {
  it('lists apps with their overview in one rollup query, and answers the dashboard queries', async () => {
    const apps = await Promise.all(
      [1, 2, 3].map((i) => createTestApp(deps.prisma, mine.org.id, { name: `Stats ${i}` })),
    );
    const now = Date.now();
    await createEventWriter(deps.pool).write(
      apps.flatMap(({ app }, i) =>
        Array.from({ length: (i + 1) * 4 }, (_, n) => ({
          orgId: mine.org.id,
          appId: app.id,
          id: randomUUID(),
          occurredAt: now - n * 1000,
          receivedAt: now,
          type: n % 2 ? 'app_start' : 'web_vital',
          name: n % 2 ? null : 'LCP',
          value: n % 2 ? null : 1000 + n * 100,
          deviceId: `dev-${n % 3}`,
          appVersion: '1.0.0',
          os: 'Android',
        })),
      ),
    );
    await runAggregation(deps.pool);
    const queries = vi.spyOn(deps.prisma, '$queryRaw');
    const res = await gql(readKey, '{ apps { name overview { current { events dau users } change { events } } } }');
    const rollupQueries = queries.mock.calls.filter((call) =>
      (call[0] as unknown as string[]).join('?').includes('rollups_daily'),
    );
    queries.mockRestore();
    expect(res.errors).toBeUndefined();
    const listed = (
      res.data?.apps as Array<{ name: string; overview: { current: { events: number; dau: number; users: number } } }>
    )
      .filter((a) => a.name.startsWith('Stats'))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(listed.map((a) => [a.name, a.overview.current.events, a.overview.current.users])).toEqual([
      ['Stats 1', 4, 3],
      ['Stats 2', 8, 3],
      ['Stats 3', 12, 3],
    ]);
    expect(rollupQueries).toHaveLength(1);

    const id = apps[2]!.app.id;
    const dashboard = await gql(
      readKey,
      `{ analyticsEvents(appId: "${id}", eventType: "app_start") { data { date count uniqueDevices } }
         analyticsVersions(appId: "${id}") { version deviceDays share }
         analyticsPerformance(appId: "${id}", eventType: "web_vital", name: "LCP") { overall { count p50 } }
         analyticsBreakdown(appId: "${id}", by: os) { value deviceDays } }`,
    );
    expect(dashboard.errors).toBeUndefined();
    const data = dashboard.data as {
      analyticsEvents: { data: Array<{ date: string; count: number; uniqueDevices: number }> };
      analyticsVersions: unknown;
      analyticsPerformance: { overall: { count: number; p50: number } };
      analyticsBreakdown: unknown;
    };
    expect(data.analyticsEvents.data).toHaveLength(30);
    expect(data.analyticsEvents.data.at(-1)).toEqual({
      date: new Date(now).toISOString().slice(0, 10),
      count: 6,
      uniqueDevices: 3,
    });
    expect(data.analyticsVersions).toEqual([{ version: '1.0.0', deviceDays: 3, share: 100 }]);
    expect(data.analyticsPerformance.overall.count).toBe(6);
    expect(data.analyticsBreakdown).toEqual([{ value: 'Android', deviceDays: 3 }]);
    // Omitted optional input fields arrive as null at any depth and mean "not given".
    const funnel = await gql(
      readKey,
      `{ analyticsFunnel(appId: "${id}", steps: [{ type: "web_vital", name: null }, { type: "app_start" }], windowMinutes: null) { steps { devices } } }`,
    );
    expect(funnel.errors).toBeUndefined();
    expect((funnel.data?.analyticsFunnel as { steps: Array<{ devices: number }> }).steps[0]?.devices).toBe(3);
    const bad = await gql(readKey, `{ analyticsEvents(appId: "${id}", start: "yesterday") { start } }`);
    expect(bad.errors?.[0]?.message).toMatch(/start.*YYYY-MM-DD/);
  });
});

describe('GraphQL crashes', () => {
  it('lists crash groups and shows one with its daily trend, versions and devices', async () => {
    const app = await createTestApp(deps.prisma, mine.org.id);
    // One clock reading for the crashes and the day they are looked for (midnight may pass).
    const now = Date.now();
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      await storeAndGroupCrashes(
        client,
        ['5.0.0', '5.0.0', '5.1.0'].map((appVersion, i) =>
          testCrashRecord(
            { orgId: mine.org.id, appId: app.app.id },
            { appVersion, deviceId: `d${i % 2}`, occurredAt: now, deviceModel: 'Pixel 8', os: 'Android' },
          ),
        ),
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const list = await gql(
      readKey,
      `{ crashGroups(appId: "${app.app.id}") { total groups { fingerprint occurrenceCount } } }`,
    );
    const page = list.data?.crashGroups as {
      total: number;
      groups: Array<{ fingerprint: string; occurrenceCount: number }>;
    };
    expect(page.total).toBe(1);
    expect(page.groups[0]?.occurrenceCount).toBe(3);
    const one = await gql(
      readKey,
      `{ crashGroup(appId: "${app.app.id}", fingerprint: "${page.groups[0]!.fingerprint}") { daily { day occurrences devices } versions { version occurrences } devices { device os occurrences devices } } }`,
    );
    expect(one.errors).toBeUndefined();
    const detail = one.data?.crashGroup as {
      daily: Array<{ day: string; occurrences: number; devices: number }>;
      versions: unknown;
      devices: unknown;
    };
    expect(detail.daily).toHaveLength(30);
    const day = new Date(now).toISOString().slice(0, 10);
    expect(detail.daily.find((d) => d.day === day)).toEqual({ day, occurrences: 3, devices: 2 });
    expect(detail.versions).toEqual([
      { version: '5.0.0', occurrences: 2 },
      { version: '5.1.0', occurrences: 1 },
    ]);
    expect(detail.devices).toEqual([{ device: 'Pixel 8', os: 'Android', occurrences: 3, devices: 2 }]);
  });
});

describe('GraphQL alerting', () => {
  it('sets up alerting: a webhook channel (secret shown once), a spike rule, a test alert in the log', async () => {
    const made = await gql(
      adminKey,
      'mutation { createAlertChannel(input: { kind: WEBHOOK, name: "ops", url: "https://hooks.example.test/a" }) { channel { id config } signingSecret } }',
    );
    const created = made.data?.createAlertChannel as { channel: { id: string; config: string }; signingSecret: string };
    expect(created.signingSecret).toMatch(/^whsec_/);
    // The URL's path often is its credential: shown as the origin only.
    expect(JSON.parse(created.channel.config)).toEqual({ url: 'https://hooks.example.test/…' });
    const app = await createTestApp(deps.prisma, mine.org.id);
    const rule = await gql(
      adminKey,
      `mutation { createAlertRule(input: { name: "spikes", appId: "${app.app.id}", kind: CRASH_SPIKE, threshold: 100, windowMinutes: 10, channelIds: ["${created.channel.id}"] }) { id appId conditions channelIds } }`,
    );
    expect(rule.data?.createAlertRule).toMatchObject({
      appId: String(app.app.id),
      channelIds: [created.channel.id],
    });
    expect(JSON.parse((rule.data?.createAlertRule as { conditions: string }).conditions)).toEqual({
      threshold: 100,
      windowMinutes: 10,
    });
    const perf = await gql(
      adminKey,
      `mutation { createAlertRule(input: { name: "slow LCP", appId: "${app.app.id}", kind: PERF_THRESHOLD, eventType: "web_vital", metricName: "LCP", aggregate: p75, threshold: 2500.5, digestMinutes: 10, quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" }, channelIds: ["${created.channel.id}"] }) { conditions digestMinutes quietHours { start end timeZone } } }`,
    );
    expect(perf.errors).toBeUndefined();
    expect(perf.data?.createAlertRule).toMatchObject({
      digestMinutes: 10,
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' },
    });
    expect(JSON.parse((perf.data?.createAlertRule as { conditions: string }).conditions)).toEqual({
      eventType: 'web_vital',
      metricName: 'LCP',
      aggregate: 'p75',
      operator: 'above',
      threshold: 2500.5,
      windowMinutes: 60,
      minSamples: 20,
    });
    const badZone = await gql(
      adminKey,
      `mutation { createAlertRule(input: { name: "x", kind: NEW_CRASH_GROUP, quietHours: { start: "22:00", end: "07:00", timeZone: "Moon/Base" }, channelIds: ["${created.channel.id}"] }) { id } }`,
    );
    expect(badZone.errors?.[0]?.message).toMatch(/quietHours\.timeZone must be an IANA time zone/);
    const sent = await gql(adminKey, `mutation { sendTestAlert(channelId: "${created.channel.id}") }`);
    const log = await gql(adminKey, `{ alertDeliveries(channelId: "${created.channel.id}") { id status title } }`);
    expect(log.data?.alertDeliveries).toEqual([
      { id: sent.data?.sendTestAlert, status: 'PENDING', title: 'Test alert for ops' },
    ]);
    const refused = await gql(
      readKey,
      'mutation { createAlertChannel(input: { kind: EMAIL, name: "x", recipients: ["x@example.test"] }) { signingSecret } }',
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
