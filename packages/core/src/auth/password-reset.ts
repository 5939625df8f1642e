import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { hashKey } from '../keys/keys.ts';
import type { Mailer } from '../mail/mailer.ts';
import { passwordResetEmail } from '../mail/templates.ts';
import { hashPassword } from '../tenancy/organizations.ts';
import { passwordSchema } from '../contracts/tenancy.ts';
import { parseInput } from '../tenancy/validate.ts';
import { auditInUserOrgs, endAllSessions } from './sessions.ts';
import { z } from 'zod';

const RESET_TTL_MS = 3_600_000;

/** Mails a one-hour, single-use link; an unknown address gets the same silence (no account probing). */
export async function requestPasswordReset(
  prisma: PrismaClient,
  mailer: Mailer,
  webUrl: string,
  email: string,
): Promise<void> {
  const user = await prisma.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, email: true },
  });
  if (!user) return;
  const token = randomBytes(32).toString('base64url');
  await prisma.$transaction([
    prisma.passwordResetToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } }),
    prisma.passwordResetToken.create({
      data: { userId: user.id, tokenHash: hashKey(token), expiresAt: new Date(Date.now() + RESET_TTL_MS) },
    }),
  ]);
  await mailer.send(
    passwordResetEmail({ to: user.email, link: new URL(`/reset-password/${token}`, webUrl).toString() }),
  );
}

export async function resetPassword(
  prisma: PrismaClient,
  token: string,
  newPassword: string,
): Promise<{ email: string }> {
  const { password } = parseInput(z.object({ password: passwordSchema }), { password: newPassword });
  const row = await prisma.passwordResetToken.findUnique({
    where: { tokenHash: hashKey(token) },
    include: { user: true },
  });
  if (!row || row.usedAt) throw new AppError('NOT_FOUND', 'this reset link is not valid or was already used');
  if (row.expiresAt.getTime() <= Date.now())
    throw new AppError('BAD_REQUEST', 'this reset link has expired; ask for a new one');
  const passwordHash = await hashPassword(password);
  await prisma.$transaction(async (tx) => {
    // Claimed inside the transaction: two concurrent uses cannot both succeed.
    const claimed = await tx.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null },
      data: { usedAt: new Date() },
    });
    if (claimed.count === 0) throw new AppError('NOT_FOUND', 'this reset link is not valid or was already used');
    // The link proved control of the inbox, so the address counts as verified too.
    await tx.user.update({
      where: { id: row.userId },
      data: { passwordHash, emailVerified: row.user.emailVerified ?? new Date() },
    });
    // Whoever held a session before the reset (a stolen cookie, an account squatter) is out.
    await endAllSessions(tx, row.userId);
    await auditInUserOrgs(tx, row.userId, 'user.password_reset');
  });
  return { email: row.user.email };
}
