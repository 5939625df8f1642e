import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors.ts';
import { createTestOrg } from '../testing/index.ts';
import { hashPassword } from './organizations.ts';
import {
  acceptInvitation,
  changeMemberRole,
  inviteMember,
  listMembers,
  removeMember,
  requireMembership,
} from './members.ts';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
}

async function user(email: string): Promise<string> {
  const created = await prisma.user.create({
    data: { email, passwordHash: await hashPassword('long enough pw'), emailVerified: new Date() },
  });
  return created.id;
}

/** An org whose owner invited `email` with `role`, and that user accepted. */
async function orgWithMember(role: 'ADMIN' | 'MEMBER' | 'VIEWER' | 'OWNER') {
  const { org, owner } = await createTestOrg(prisma);
  const ownerActor = await requireMembership(prisma, owner.id, org.id);
  const email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.test`;
  const { token } = await inviteMember(prisma, ownerActor, { email, role });
  const memberId = await user(email);
  await acceptInvitation(prisma, memberId, token);
  return { org, ownerActor, member: await requireMembership(prisma, memberId, org.id), email };
}

describe('members and invitations', () => {
  it('invites by email; the invitee joins with the invited role', async () => {
    const { ownerActor, member, email } = await orgWithMember('VIEWER');
    expect(member.role).toBe('VIEWER');
    const members = await listMembers(prisma, ownerActor);
    expect(members.map((m) => [m.email, m.role])).toContainEqual([email, 'VIEWER']);
    const audit = await prisma.auditLog.findMany({ where: { orgId: ownerActor.orgId }, select: { action: true } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['member.invited', 'member.joined']));
  });

  it('lets a viewer see members but not invite, and nobody invite above their own role', async () => {
    const { member: viewer } = await orgWithMember('VIEWER');
    expect((await listMembers(prisma, viewer)).length).toBe(2);
    await rejects(inviteMember(prisma, viewer, { email: 'x@example.test', role: 'VIEWER' }), 'FORBIDDEN');
    const { member: admin } = await orgWithMember('ADMIN');
    await rejects(inviteMember(prisma, admin, { email: 'y@example.test', role: 'OWNER' }), 'FORBIDDEN');
    await rejects(inviteMember(prisma, admin, { email: 'not-an-email', role: 'MEMBER' }), 'BAD_REQUEST', /email/);
  });

  it('accepts an invitation once, only for the invited address, and only before it expires', async () => {
    const { org, owner } = await createTestOrg(prisma);
    const actor = await requireMembership(prisma, owner.id, org.id);
    const { token, invitation } = await inviteMember(prisma, actor, { email: 'Invitee@Example.test', role: 'MEMBER' });
    const stranger = await user(`stranger-${Date.now()}@example.test`);
    await rejects(acceptInvitation(prisma, stranger, token), 'FORBIDDEN', /invitee@example.test/);
    const invitee = await user('invitee@example.test');
    await acceptInvitation(prisma, invitee, token);
    await rejects(acceptInvitation(prisma, invitee, token), 'CONFLICT');
    await rejects(acceptInvitation(prisma, invitee, 'made-up-token'), 'NOT_FOUND');
    expect((await prisma.invitation.findUniqueOrThrow({ where: { id: invitation.id } })).tokenHash).not.toContain(token);

    const late = await inviteMember(prisma, actor, { email: 'late@example.test', role: 'MEMBER' });
    await prisma.invitation.update({ where: { id: late.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await rejects(acceptInvitation(prisma, await user('late@example.test'), late.token), 'BAD_REQUEST', /expired/);
  });

  it('keeps at least one OWNER: the last one can neither leave nor be demoted', async () => {
    const { ownerActor, member: admin } = await orgWithMember('ADMIN');
    await rejects(removeMember(prisma, ownerActor, ownerActor.userId), 'CONFLICT', /last OWNER/);
    await rejects(changeMemberRole(prisma, ownerActor, ownerActor.userId, 'ADMIN'), 'CONFLICT', /at least one OWNER/);
    await rejects(changeMemberRole(prisma, admin, ownerActor.userId, 'VIEWER'), 'FORBIDDEN');
    await changeMemberRole(prisma, ownerActor, admin.userId, 'OWNER');
    // Two owners now: the first may step down, and the org still has one.
    await changeMemberRole(prisma, ownerActor, ownerActor.userId, 'ADMIN');
    const owners = await prisma.membership.count({ where: { orgId: ownerActor.orgId, role: 'OWNER' } });
    expect(owners).toBe(1);
  });

  it('never lets two owners demote each other at the same moment into an ownerless org', async () => {
    const { ownerActor, member } = await orgWithMember('OWNER');
    const results = await Promise.allSettled([
      changeMemberRole(prisma, ownerActor, member.userId, 'ADMIN'),
      changeMemberRole(prisma, member, ownerActor.userId, 'ADMIN'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await prisma.membership.count({ where: { orgId: ownerActor.orgId, role: 'OWNER' } })).toBe(1);
  });

  it('removes and leaves; another org sees neither the member nor the org', async () => {
    const { ownerActor, member } = await orgWithMember('MEMBER');
    const other = await orgWithMember('ADMIN');
    await rejects(removeMember(prisma, other.member, member.userId), 'NOT_FOUND');
    await rejects(changeMemberRole(prisma, other.ownerActor, member.userId, 'VIEWER'), 'NOT_FOUND');
    await rejects(requireMembership(prisma, member.userId, other.org.id), 'NOT_FOUND');
    await rejects(requireMembership(prisma, member.userId, 'not-a-uuid'), 'NOT_FOUND');
    await rejects(removeMember(prisma, member, ownerActor.userId), 'FORBIDDEN');
    await removeMember(prisma, member, member.userId);
    await rejects(requireMembership(prisma, member.userId, ownerActor.orgId), 'NOT_FOUND');
  });
});
