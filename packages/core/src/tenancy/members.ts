import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { hashKey } from '../keys/keys.ts';
import { invitationEmail } from '../mail/templates.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Principal } from '../keys/resolver.ts';
import type { OutboundLimits } from '../limits/outbound.ts';
import { recordAudit, type Actor } from './audit.ts';
import { assertCan, canGrant, ROLE_RANK, type Role } from './permissions.ts';
import { inviteMemberInput, ROLES, type InviteMemberInput } from '../contracts/tenancy.ts';
import { assertNotSuspended } from './suspension.ts';
import { parseInput } from './validate.ts';

export const INVITATION_TTL_MS = 7 * 86_400_000;

/**
 * Whoever acts within one organization: a signed-in member with their role, or a secret
 * API key whose scopes cap what it may do (read ≈ VIEWER, write ≈ MEMBER, admin ≈ ADMIN;
 * a key never acts as OWNER). Every tenancy function takes the org from here.
 */
export interface OrgActor {
  orgId: string;
  role: Role;
  /** Set for members; API keys have none. */
  userId?: string;
  audit: Actor;
}

/** A signed-in member: an actor that is a user. */
export type MemberActor = OrgActor & { userId: string };

/** What a secret key may do in its org, from its scopes. */
export function actorFromApiKey(principal: Principal): OrgActor {
  if (principal.kind !== 'api_key') throw new AppError('FORBIDDEN', 'this needs a secret API key (sk_…)');
  const scopes = new Set(principal.scopes);
  const role: Role | null = scopes.has('admin') ? 'ADMIN' : scopes.has('write') ? 'MEMBER' : scopes.has('read') ? 'VIEWER' : null;
  if (!role) throw new AppError('FORBIDDEN', 'this key has no read, write or admin scope');
  return { orgId: principal.orgId, role, audit: { type: 'API_KEY', id: principal.credentialId } };
}

/** The user's membership of the org; an org they do not belong to is simply not found. */
export async function requireMembership(prisma: PrismaClient, userId: string, orgId: string): Promise<MemberActor> {
  const membership =
    isUuid(orgId) && isUuid(userId)
      ? await prisma.membership.findFirst({ where: { orgId, userId, org: { deletedAt: null } } })
      : null;
  if (!membership) throw new AppError('NOT_FOUND', `organization ${orgId} not found`);
  return { userId, orgId, role: membership.role, audit: { type: 'USER', id: userId } };
}

export async function listMembers(prisma: PrismaClient, actor: OrgActor) {
  assertCan(actor.role, 'member.read');
  const rows = await prisma.membership.findMany({
    where: { orgId: actor.orgId },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role, joinedAt: m.createdAt }));
}

/** Invites an email with a role; returns the token for the emailed link (stored hashed). */
export async function inviteMember(prisma: PrismaClient, actor: OrgActor, input: InviteMemberInput) {
  assertCan(actor.role, 'member.invite');
  const data = parseInput(inviteMemberInput, input);
  if (!canGrant(actor.role, data.role)) throw new AppError('FORBIDDEN', `your role (${actor.role}) may not invite an ${data.role}`);
  const existing = await prisma.membership.findFirst({ where: { orgId: actor.orgId, user: { email: data.email } } });
  if (existing) throw new AppError('CONFLICT', `${data.email} is already a member of this organization`);
  const token = randomBytes(32).toString('base64url');
  return prisma.$transaction(async (tx) => {
    // A new invitation replaces any pending one for the same address.
    await tx.invitation.updateMany({
      where: { orgId: actor.orgId, email: data.email, acceptedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    const invitation = await tx.invitation.create({
      data: {
        orgId: actor.orgId,
        email: data.email,
        role: data.role,
        tokenHash: hashKey(token),
        invitedById: actor.userId ?? null,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
    });
    await recordAudit(tx, actor.orgId, actor.audit, 'member.invited', { type: 'invitation', id: invitation.id }, { email: data.email, role: data.role });
    return { invitation: { id: invitation.id, email: invitation.email, role: invitation.role, expiresAt: invitation.expiresAt }, token };
  });
}

/**
 * Invites and emails the link (`<webUrl>/invitations/<token>`). The invitation stands even
 * if the email fails; the error is rethrown so the caller can say so and offer a resend.
 * Not from a suspended organization, and within the organization's hourly limits (only a
 * permitted, valid invitation counts against them).
 */
export async function inviteMemberByEmail(
  prisma: PrismaClient,
  mailer: Mailer,
  webUrl: string,
  actor: OrgActor,
  input: InviteMemberInput,
  limits?: OutboundLimits,
) {
  assertCan(actor.role, 'member.invite');
  parseInput(inviteMemberInput, input);
  await assertNotSuspended(prisma, actor.orgId);
  await limits?.invitation(actor.orgId);
  const result = await inviteMember(prisma, actor, input);
  const [org, inviter] = await Promise.all([
    prisma.organization.findUniqueOrThrow({ where: { id: actor.orgId }, select: { name: true } }),
    actor.userId ? prisma.user.findUnique({ where: { id: actor.userId }, select: { email: true } }) : null,
  ]);
  const link = new URL(`/invitations/${result.token}`, webUrl).toString();
  await mailer.send(
    invitationEmail({ to: result.invitation.email, orgName: org.name, role: result.invitation.role, invitedBy: inviter?.email ?? null, link, expiresAt: result.invitation.expiresAt }),
  );
  return result.invitation;
}

/** Accepts an invitation as the signed-in user, whose email must be the one invited, and verified. */
export async function acceptInvitation(prisma: PrismaClient, userId: string, token: string) {
  const invitation = await prisma.invitation.findUnique({ where: { tokenHash: hashKey(token) }, include: { org: true } });
  if (!invitation || invitation.revokedAt || invitation.org.deletedAt) throw new AppError('NOT_FOUND', 'this invitation does not exist or was withdrawn');
  if (invitation.acceptedAt) throw new AppError('CONFLICT', 'this invitation has already been used');
  if (invitation.expiresAt.getTime() <= Date.now()) throw new AppError('BAD_REQUEST', 'this invitation has expired; ask for a new one');
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user || user.email.toLowerCase() !== invitation.email.toLowerCase()) {
    throw new AppError('FORBIDDEN', `this invitation was sent to ${invitation.email}; sign in with that address to accept it`);
  }
  // Anyone can sign up with any address; only a confirmed inbox may join an organization with it.
  if (!user.emailVerified) {
    throw new AppError('FORBIDDEN', `verify your email first: open the link we sent to ${user.email}, or ask for a new one`);
  }
  return prisma.$transaction(async (tx) => {
    await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: new Date() } });
    const membership = await tx.membership.upsert({
      where: { orgId_userId: { orgId: invitation.orgId, userId } },
      create: { orgId: invitation.orgId, userId, role: invitation.role },
      update: {},
    });
    await recordAudit(tx, invitation.orgId, { type: 'USER', id: userId }, 'member.joined', { type: 'user', id: userId }, { role: membership.role });
    return { orgId: invitation.orgId, role: membership.role };
  });
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Locks the org's memberships so two concurrent demotions cannot both remove "the other" owner. */
async function lockedTarget(tx: Tx, actor: OrgActor, userId: string) {
  await tx.$queryRaw`SELECT id FROM memberships WHERE org_id = ${actor.orgId}::uuid FOR UPDATE`;
  const target = isUuid(userId) ? await tx.membership.findFirst({ where: { orgId: actor.orgId, userId } }) : null;
  if (!target) throw new AppError('NOT_FOUND', `member ${userId} not found`);
  const owners = await tx.membership.count({ where: { orgId: actor.orgId, role: 'OWNER' } });
  return { target, owners };
}

export async function changeMemberRole(prisma: PrismaClient, actor: OrgActor, userId: string, role: Role) {
  assertCan(actor.role, 'member.updateRole');
  if (!(ROLES as readonly string[]).includes(role)) throw new AppError('BAD_REQUEST', `role must be one of ${ROLES.join(', ')}`);
  return prisma.$transaction(async (tx) => {
    const { target, owners } = await lockedTarget(tx, actor, userId);
    if (ROLE_RANK[target.role] > ROLE_RANK[actor.role] || !canGrant(actor.role, role)) {
      throw new AppError('FORBIDDEN', `your role (${actor.role}) may not change an ${target.role} to ${role}`);
    }
    if (target.role === 'OWNER' && role !== 'OWNER' && owners <= 1) {
      throw new AppError('CONFLICT', 'an organization needs at least one OWNER: make someone else OWNER first');
    }
    const updated = await tx.membership.update({
      where: { id: target.id },
      data: { role },
      include: { user: { select: { email: true, name: true } } },
    });
    await recordAudit(tx, actor.orgId, actor.audit, 'member.role_changed', { type: 'user', id: userId }, { from: target.role, to: role });
    return { userId, email: updated.user.email, name: updated.user.name, role: updated.role };
  });
}

/** Removes a member; removing yourself is leaving, which any role may do. */
export async function removeMember(prisma: PrismaClient, actor: OrgActor, userId: string): Promise<void> {
  const leaving = userId === actor.userId;
  if (!leaving) assertCan(actor.role, 'member.remove');
  await prisma.$transaction(async (tx) => {
    const { target, owners } = await lockedTarget(tx, actor, userId);
    if (!leaving && ROLE_RANK[target.role] > ROLE_RANK[actor.role]) {
      throw new AppError('FORBIDDEN', `your role (${actor.role}) may not remove an ${target.role}`);
    }
    if (target.role === 'OWNER' && owners <= 1) {
      throw new AppError('CONFLICT', 'the last OWNER cannot leave: make someone else OWNER first, or delete the organization');
    }
    await tx.membership.delete({ where: { id: target.id } });
    await recordAudit(tx, actor.orgId, actor.audit, leaving ? 'member.left' : 'member.removed', { type: 'user', id: userId });
  });
}
