import { inviteMember, registerDevice } from '@sightline/core';
import { createTestApiKey, createTestApp, createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServerDeps } from '../http/testing.ts';
import { createCallerFactory } from './init.ts';
import { appRouter } from './router.ts';

// Every tRPC procedure is listed here, generated checks below fail for any that is not: a new
// procedure cannot skip the cross-tenant test. `ids` builds an input naming the other org's
// objects; `org` says whether the input also names the other org itself.

interface Theirs {
  orgId: string;
  appId: number;
  keyId: string;
  memberId: string;
  invitationId: string;
  deviceId: string;
  fingerprint: string;
  channelId: string;
  ruleId: string;
  requestId: string;
}

type Case =
  | { kind: 'tenant'; ids: (theirs: Theirs) => Record<string, unknown> }
  | { kind: 'platform'; ids: (theirs: Theirs) => Record<string, unknown> }
  | { kind: 'no-tenant-id'; why: string };

const noIds = (why: string): Case => ({ kind: 'no-tenant-id', why });
const tenant = (ids: (theirs: Theirs) => Record<string, unknown>): Case => ({ kind: 'tenant', ids });

const CASES: Record<string, Case> = {
  'auth.me': noIds('the signed-in user only'),
  'auth.signUp': noIds('creates a new user and org'),
  'auth.signupMode': noIds('one setting of the installation, the same for everyone'),
  'auth.signUpPolicy': noIds('the installation\'s sign-up mode and whether it has any account yet'),
  'auth.signIn': noIds('email and password'),
  'auth.verifyEmail': noIds('the emailed token is the credential'),
  'auth.resendVerification': noIds('the signed-in user only'),
  'auth.requestPasswordReset': noIds('an email address; same answer for any'),
  'auth.resetPassword': noIds('the emailed token is the credential'),
  'auth.changePassword': noIds('the signed-in user only'),
  'auth.signOutEverywhere': noIds('the signed-in user only'),
  'orgs.list': noIds("the signed-in user's memberships"),
  'orgs.create': noIds('creates a new org'),
  'orgs.get': tenant(() => ({})),
  'orgs.update': tenant(() => ({ name: 'Taken over' })),
  'orgs.leave': tenant(() => ({})),
  'members.list': tenant(() => ({})),
  'members.invite': tenant(() => ({ email: 'intruder@example.test', role: 'ADMIN' })),
  'members.invitations': tenant(() => ({})),
  'members.revokeInvitation': tenant((t) => ({ invitationId: t.invitationId })),
  'members.changeRole': tenant((t) => ({ userId: t.memberId, role: 'VIEWER' })),
  'members.remove': tenant((t) => ({ userId: t.memberId })),
  'invitations.get': noIds('the emailed token is the credential'),
  'invitations.accept': noIds('the emailed token is the credential'),
  'invitations.acceptAsNewUser': noIds('the emailed token is the credential'),
  'apps.list': tenant(() => ({})),
  'apps.get': tenant((t) => ({ appId: t.appId })),
  'apps.create': tenant(() => ({ name: 'Intruder', bundleId: 'com.intruder' })),
  'apps.update': tenant((t) => ({ appId: t.appId, settings: { name: 'Taken over' } })),
  'apps.delete': tenant((t) => ({ appId: t.appId })),
  'apps.rotateIngestKey': tenant((t) => ({ appId: t.appId })),
  'apps.ingestKey': tenant((t) => ({ appId: t.appId })),
  'apps.latestReceived': tenant((t) => ({ appId: t.appId })),
  'apps.revokeDeviceTokens': tenant((t) => ({ appId: t.appId, deviceId: t.deviceId })),
  'keys.list': tenant(() => ({})),
  'keys.create': tenant(() => ({ name: 'intruder', scopes: ['admin'] })),
  'keys.revoke': tenant((t) => ({ keyId: t.keyId })),
  'audit.list': tenant(() => ({})),
  'alerts.channels': tenant(() => ({})),
  'alerts.createChannel': tenant(() => ({ channel: { kind: 'EMAIL', name: 'x', recipients: ['x@example.test'] } })),
  'alerts.deleteChannel': tenant((t) => ({ channelId: t.channelId })),
  'alerts.sendTestAlert': tenant((t) => ({ channelId: t.channelId })),
  'alerts.rules': tenant(() => ({})),
  'alerts.createRule': tenant((t) => ({
    rule: { name: 'x', kind: 'NEW_CRASH_GROUP', appId: t.appId, channelIds: [t.channelId] },
  })),
  'alerts.deleteRule': tenant((t) => ({ ruleId: t.ruleId })),
  'alerts.deliveries': tenant((t) => ({ channelId: t.channelId })),
  'crashes.list': tenant((t) => ({ appId: t.appId })),
  'crashes.get': tenant((t) => ({ appId: t.appId, fingerprint: t.fingerprint })),
  'crashes.update': tenant((t) => ({ appId: t.appId, fingerprint: t.fingerprint, change: { status: 'resolved' } })),
  'crashes.comment': tenant((t) => ({ appId: t.appId, fingerprint: t.fingerprint, body: 'taken over' })),
  'analytics.overview': tenant((t) => ({ appId: t.appId })),
  'analytics.events': tenant((t) => ({ appId: t.appId, query: { eventType: 'app_start' } })),
  'analytics.versions': tenant((t) => ({ appId: t.appId })),
  'analytics.health': tenant((t) => ({ appId: t.appId })),
  'analytics.performance': tenant((t) => ({ appId: t.appId, query: { eventType: 'web_vital', name: 'LCP' } })),
  'analytics.slowest': tenant((t) => ({ appId: t.appId, query: { eventType: 'web_vital' } })),
  'analytics.breakdown': tenant((t) => ({ appId: t.appId, query: { by: 'os' } })),
  'analytics.funnel': tenant((t) => ({ appId: t.appId, query: { steps: [{ type: 'a' }, { type: 'b' }] } })),
  'analytics.retention': tenant((t) => ({ appId: t.appId })),
  'analytics.paths': tenant((t) => ({ appId: t.appId, query: { from: '/' } })),
  'analytics.adoption': tenant((t) => ({ appId: t.appId })),
  'analytics.segment': tenant((t) => ({ appId: t.appId, query: { filters: { os: 'iOS' } } })),
  'admin.organizations': { kind: 'platform', ids: () => ({}) },
  'admin.updatePlan': {
    kind: 'platform',
    ids: (t) => ({ orgId: t.orgId, plan: 'ENTERPRISE', monthlyEventQuota: 1e9 }),
  },
  'privacy.list': tenant((t) => ({ appId: t.appId })),
  'privacy.get': tenant((t) => ({ id: t.requestId })),
  'privacy.requestForSubject': tenant((t) => ({ appId: t.appId, kind: 'DELETE', deviceId: 'their-device' })),
  'privacy.deleteAppData': tenant((t) => ({ appId: t.appId, confirm: 'their app' })),
  'privacy.exportOrg': tenant(() => ({})),
  'admin.setSuspended': { kind: 'platform', ids: (t) => ({ orgId: t.orgId, suspended: true, reason: 'takeover' }) },
  'admin.deadLetters': { kind: 'platform', ids: () => ({}) },
  'admin.replayDeadLetters': { kind: 'platform', ids: () => ({}) },
};

const procedures = Object.keys(appRouter._def.procedures).sort();

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let mine: Awaited<ReturnType<typeof createTestOrg>>;
let theirs: Theirs;

type Caller = (path: string, input: unknown) => Promise<unknown>;

function callerFor(userId: string): Caller {
  const caller = createCallerFactory(appRouter)({ deps, userId, ip: '198.51.100.7' }) as unknown as Record<
    string,
    Record<string, (input: unknown) => Promise<unknown>>
  >;
  return (path, input) => {
    const [group, name] = path.split('.') as [string, string];
    return caller[group]![name]!(input);
  };
}

/** Everything of the other org a foreign call could have touched. */
async function snapshot(orgId: string) {
  const p = deps.prisma;
  return {
    org: await p.organization.findUnique({ where: { id: orgId } }),
    apps: await p.app.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    ingestKeys: await p.ingestKey.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    apiKeys: await p.apiKey.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    memberships: await p.membership.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    invitations: await p.invitation.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    deviceTokens: await p.deviceToken.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    crashGroups: await p.crashGroup.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    crashComments: await p.crashGroupComment.count({ where: { orgId } }),
    channels: await p.notificationChannel.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    rules: await p.alertRule.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
    deliveries: await p.notificationDelivery.count({ where: { orgId } }),
    audit: await p.auditLog.count({ where: { orgId } }),
    privacyRequests: await p.gdprRequest.findMany({ where: { orgId }, orderBy: { id: 'asc' } }),
  };
}

async function expectCode(promise: Promise<unknown>, code: TRPCError['code']): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  mine = await createTestOrg(deps.prisma);
  await createTestApp(deps.prisma, mine.org.id);
  const other = await createTestOrg(deps.prisma);
  const app = await createTestApp(deps.prisma, other.org.id);
  const key = await createTestApiKey(deps.prisma, other.org.id, ['admin']);
  const member = await deps.prisma.user.create({ data: { email: `member-${other.org.id}@example.test` } });
  await deps.prisma.membership.create({ data: { orgId: other.org.id, userId: member.id, role: 'ADMIN' } });
  const ownerActor = {
    orgId: other.org.id,
    role: 'OWNER' as const,
    userId: other.owner.id,
    audit: { type: 'USER' as const, id: other.owner.id },
  };
  const { invitation } = await inviteMember(deps.prisma, ownerActor, { email: 'pending@example.test', role: 'MEMBER' });
  const principal = (await deps.resolver.resolve(app.ingestKey))!;
  const device = await registerDevice(
    deps.prisma,
    principal,
    { app_id: app.app.id, device_id: 'their-device' },
    deps.secret,
  );
  const group = await deps.prisma.crashGroup.create({
    data: {
      orgId: other.org.id,
      appId: app.app.id,
      fingerprint: 'f'.repeat(32),
      crashType: 'TypeError',
      firstSeenAt: new Date(),
      lastSeenAt: new Date(),
    },
  });
  const channel = await deps.prisma.notificationChannel.create({
    data: { orgId: other.org.id, kind: 'EMAIL', name: 'theirs', config: { recipients: ['them@example.test'] } },
  });
  const rule = await deps.prisma.alertRule.create({
    data: {
      orgId: other.org.id,
      name: 'theirs',
      kind: 'NEW_CRASH_GROUP',
      channels: { create: [{ orgId: other.org.id, channelId: channel.id }] },
    },
  });
  const request = await deps.prisma.gdprRequest.create({
    data: {
      orgId: other.org.id,
      appId: app.app.id,
      kind: 'EXPORT',
      subjectType: 'USER',
      subjectKey: 'u',
      requestedByType: 'SYSTEM',
    },
  });
  theirs = {
    requestId: request.id,
    channelId: channel.id,
    ruleId: rule.id,
    fingerprint: group.fingerprint,
    orgId: other.org.id,
    appId: app.app.id,
    keyId: key.apiKey.id,
    memberId: member.id,
    invitationId: invitation.id,
    deviceId: device.deviceId,
  };
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

describe('tRPC cross-tenant access', () => {
  it('lists every procedure of the router, and nothing that is gone', () => {
    expect(procedures.length).toBeGreaterThan(20);
    expect(
      procedures.filter((p) => !(p in CASES)),
      'procedures missing from CASES',
    ).toEqual([]);
    expect(
      Object.keys(CASES).filter((p) => !procedures.includes(p)),
      'stale CASES entries',
    ).toEqual([]);
  });

  const tenantCases = Object.entries(CASES).filter(
    (e): e is [string, Case & { kind: 'tenant' }] => e[1].kind === 'tenant',
  );

  it.each(tenantCases)("%s with the other org's id is NOT_FOUND and changes nothing", async (path, entry) => {
    const call = callerFor(mine.owner.id);
    const before = await snapshot(theirs.orgId);
    await expectCode(call(path, { ...entry.ids(theirs), orgId: theirs.orgId }), 'NOT_FOUND');
    const ids = entry.ids(theirs);
    // Object ids of the other org inside my own org: found nowhere either.
    if (Object.values(ids).some((v) => Object.values(theirs).includes(v))) {
      await expectCode(call(path, { ...ids, orgId: mine.org.id }), 'NOT_FOUND');
    }
    expect(await snapshot(theirs.orgId)).toEqual(before);
  });

  it.each(Object.entries(CASES).filter(([, c]) => c.kind === 'platform'))(
    '%s is refused to a user who is not a platform admin',
    async (path, entry) => {
      const before = await snapshot(theirs.orgId);
      await expectCode(callerFor(mine.owner.id)(path, (entry as Case & { kind: 'platform' }).ids(theirs)), 'FORBIDDEN');
      expect(await snapshot(theirs.orgId)).toEqual(before);
    },
  );

  it('refuses every procedure that needs a session when there is none', async () => {
    const anonymous = createCallerFactory(appRouter)({ deps, userId: null, ip: '198.51.100.8' }) as unknown as Record<
      string,
      Record<string, (input: unknown) => Promise<unknown>>
    >;
    for (const [path, entry] of tenantCases) {
      const [group, name] = path.split('.') as [string, string];
      await expectCode(anonymous[group]![name]!({ ...entry.ids(theirs), orgId: theirs.orgId }), 'UNAUTHORIZED');
    }
  });
});
