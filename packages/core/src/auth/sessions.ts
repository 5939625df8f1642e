import type { Prisma, PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { hashPassword, verifyPassword } from '../tenancy/organizations.ts';
import { changePasswordInput, type ChangePasswordInput } from '../contracts/auth.ts';
import { parseInput } from '../tenancy/validate.ts';

type Db = PrismaClient | Prisma.TransactionClient;

/**
 * Whether a portal session still counts: its user exists and the session carries the user's
 * current session version. Sessions made before versions existed carry none and count as 0,
 * so they last until the first revocation. One primary-key read per request, no cache, so a
 * revocation holds from the very next request.
 */
export async function isSessionCurrent(prisma: PrismaClient, userId: string, version: unknown): Promise<boolean> {
  if (!isUuid(userId)) return false;
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user !== null && user.sessionVersion === (version ?? 0);
}

/** Records a user-level security action in every organization the user belongs to. */
export async function auditInUserOrgs(db: Db, userId: string, action: string): Promise<void> {
  const orgs = await db.membership.findMany({ where: { userId }, select: { orgId: true } });
  for (const { orgId } of orgs)
    await recordAudit(db, orgId, { type: 'USER', id: userId }, action, { type: 'user', id: userId });
}

/** Ends every portal session of the user (all browsers, this one included). */
export async function endAllSessions(db: Db, userId: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}

export async function signOutEverywhere(prisma: PrismaClient, userId: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await endAllSessions(tx, userId);
    await auditInUserOrgs(tx, userId, 'user.signed_out_everywhere');
  });
}

/**
 * Sets a new password when the current one is right, and ends every session: whoever else
 * held one (a stolen cookie) is out. The caller signs in again with the new password.
 */
export async function changePassword(prisma: PrismaClient, userId: string, input: ChangePasswordInput): Promise<{ email: string }> {
  const data = parseInput(changePasswordInput, input);
  const user = await prisma.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError('UNAUTHORIZED', 'sign in to continue');
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, data.currentPassword)))
    throw new AppError('BAD_REQUEST', 'the current password is wrong', [
      { path: 'currentPassword', message: 'is wrong' },
    ]);
  const passwordHash = await hashPassword(data.newPassword);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    await endAllSessions(tx, userId);
    await auditInUserOrgs(tx, userId, 'user.password_changed');
  });
  return { email: user.email };
}
