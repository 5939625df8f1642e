import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { hashKey } from '../keys/keys.ts';
import { recordAudit } from './audit.ts';
import type { OrgActor } from './members.ts';
import { hashPassword } from './organizations.ts';
import { assertCan } from './permissions.ts';
import { acceptAsNewUserInput, type AcceptAsNewUserInput } from '../contracts/tenancy.ts';
import { parseInput } from './validate.ts';

async function findOpenInvitation(prisma: PrismaClient, token: string) {
  const invitation = await prisma.invitation.findUnique({
    where: { tokenHash: hashKey(token) },
    include: { org: true },
  });
  if (!invitation || invitation.revokedAt || invitation.org.deletedAt)
    throw new AppError('NOT_FOUND', 'this invitation does not exist or was withdrawn');
  return invitation;
}

/**
 * What the invitation page shows before anyone signs in: which org, which role, for which
 * address, and whether that address already has an account (sign in) or not (sign up).
 */
export async function describeInvitation(prisma: PrismaClient, token: string) {
  const invitation = await findOpenInvitation(prisma, token);
  const account = await prisma.user.findUnique({ where: { email: invitation.email }, select: { id: true } });
  return {
    orgName: invitation.org.name,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    status: invitation.acceptedAt
      ? ('accepted' as const)
      : invitation.expiresAt.getTime() <= Date.now()
        ? ('expired' as const)
        : ('open' as const),
    hasAccount: account !== null,
  };
}

/**
 * Signs up the invited address and accepts in one step. The emailed link proves the inbox,
 * so the email counts as verified; no organization of their own is created.
 */
export async function acceptInvitationAsNewUser(prisma: PrismaClient, input: AcceptAsNewUserInput) {
  const data = parseInput(acceptAsNewUserInput, input);
  const invitation = await findOpenInvitation(prisma, data.token);
  if (invitation.acceptedAt) throw new AppError('CONFLICT', 'this invitation has already been used');
  if (invitation.expiresAt.getTime() <= Date.now())
    throw new AppError('BAD_REQUEST', 'this invitation has expired; ask for a new one');
  const passwordHash = await hashPassword(data.password);
  try {
    return await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: invitation.email, name: data.name, passwordHash, emailVerified: new Date() },
      });
      // Claim the invitation inside the transaction so two tabs cannot both use it.
      const claimed = await tx.invitation.updateMany({
        where: { id: invitation.id, acceptedAt: null },
        data: { acceptedAt: new Date() },
      });
      if (claimed.count === 0) throw new AppError('CONFLICT', 'this invitation has already been used');
      await tx.membership.create({ data: { orgId: invitation.orgId, userId: user.id, role: invitation.role } });
      await recordAudit(
        tx,
        invitation.orgId,
        { type: 'USER', id: user.id },
        'member.joined',
        { type: 'user', id: user.id },
        { role: invitation.role },
      );
      return { userId: user.id, email: user.email, orgId: invitation.orgId, role: invitation.role };
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'P2002') {
      throw new AppError('CONFLICT', `an account for ${invitation.email} already exists; sign in to accept`);
    }
    throw error;
  }
}

/** Pending invitations of the org (ADMIN+ sees them on the members page). */
export async function listInvitations(prisma: PrismaClient, actor: OrgActor) {
  assertCan(actor.role, 'member.invite');
  return prisma.invitation.findMany({
    where: { orgId: actor.orgId, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
    orderBy: { createdAt: 'desc' },
  });
}

export async function revokeInvitation(prisma: PrismaClient, actor: OrgActor, invitationId: string): Promise<void> {
  assertCan(actor.role, 'member.invite');
  const invitation = isUuid(invitationId)
    ? await prisma.invitation.findFirst({
        where: { id: invitationId, orgId: actor.orgId, acceptedAt: null, revokedAt: null },
      })
    : null;
  if (!invitation) throw new AppError('NOT_FOUND', `invitation ${invitationId} not found`);
  await prisma.$transaction(async (tx) => {
    await tx.invitation.update({ where: { id: invitation.id }, data: { revokedAt: new Date() } });
    await recordAudit(
      tx,
      actor.orgId,
      actor.audit,
      'member.invitation_revoked',
      { type: 'invitation', id: invitation.id },
      { email: invitation.email },
    );
  });
}
