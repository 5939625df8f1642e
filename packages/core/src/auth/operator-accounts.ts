import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { hashPassword } from '../tenancy/organizations.ts';
import { emailSchema, passwordSchema } from '../contracts/tenancy.ts';
import { parseInput } from '../tenancy/validate.ts';
import { lockAndCheckEmptyInstallation } from './first-admin.ts';
import { auditInUserOrgs, endAllSessions } from './sessions.ts';

// What an operator does from a shell (`sightline create-user`, `reset-password`) when nobody
// can sign up or an admin is locked out. No org is involved, so these are SYSTEM actions.

export const createUserInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1).max(100).optional(),
  platformAdmin: z.boolean().default(false),
});

export interface OperatorCreatedUser {
  id: string;
  email: string;
  name: string | null;
  platformAdmin: boolean;
}

/**
 * A user without an organization: they can then accept an invitation or create one. The
 * operator set the password, so the address counts as verified. The first account of an empty
 * installation is platform admin, as with sign-up.
 */
export async function createUserAccount(prisma: PrismaClient, input: z.input<typeof createUserInput>): Promise<OperatorCreatedUser> {
  const data = parseInput(createUserInput, input);
  const passwordHash = await hashPassword(data.password);
  try {
    return await prisma.$transaction(async (tx) => {
      const first = await lockAndCheckEmptyInstallation(tx);
      const user = await tx.user.create({
        data: {
          email: data.email,
          name: data.name ?? null,
          passwordHash,
          emailVerified: new Date(),
          isPlatformAdmin: data.platformAdmin || first,
        },
      });
      return { id: user.id, email: user.email, name: user.name, platformAdmin: user.isPlatformAdmin };
    });
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'P2002')
      throw new AppError('CONFLICT', `a user with email ${data.email} already exists; use reset-password`);
    throw error;
  }
}

/** 24 random bytes in base64url: 32 characters, ~192 bits, no characters a shell mangles. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

export const setUserPasswordInput = z.object({ email: emailSchema, password: passwordSchema.optional() });

/**
 * Sets a user's password (a generated one when none is given) and ends all their portal
 * sessions: whoever held one is out. Returns the password so the operator can pass it on.
 */
export async function setUserPassword(
  prisma: PrismaClient,
  input: z.input<typeof setUserPasswordInput>,
): Promise<{ userId: string; email: string; password: string; generated: boolean; sessionsRevoked: true }> {
  const data = parseInput(setUserPasswordInput, input);
  const user = await prisma.user.findUnique({ where: { email: data.email }, select: { id: true, email: true } });
  if (!user) throw new AppError('NOT_FOUND', `no user with email ${data.email}`);
  const password = data.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    // Unused reset links would otherwise let an old inbox owner set it again.
    await tx.passwordResetToken.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    await endAllSessions(tx, user.id);
    await auditInUserOrgs(tx, user.id, 'user.password_reset_by_operator');
  });
  return {
    userId: user.id,
    email: user.email,
    password,
    generated: data.password === undefined,
    sessionsRevoked: true,
  };
}
