import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { hashKey } from '../keys/keys.ts';
import type { Mailer } from '../mail/mailer.ts';
import { verificationEmail } from '../mail/templates.ts';

const VERIFICATION_TTL_MS = 24 * 3_600_000;

/** Mails `<webUrl>/verify-email/<token>`; only the token's hash is stored. */
export async function sendVerificationEmail(
  prisma: PrismaClient,
  mailer: Mailer,
  webUrl: string,
  userId: string,
): Promise<void> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, emailVerified: true } });
  if (!user) throw new AppError('NOT_FOUND', 'user not found');
  if (user.emailVerified) return;
  const token = randomBytes(32).toString('base64url');
  // Earlier links stay valid until they expire (the user may open any mail they got).
  await prisma.$transaction([
    prisma.verificationToken.deleteMany({ where: { identifier: user.email, expires: { lt: new Date() } } }),
    prisma.verificationToken.create({
      data: { identifier: user.email, token: hashKey(token), expires: new Date(Date.now() + VERIFICATION_TTL_MS) },
    }),
  ]);
  await mailer.send(verificationEmail({ to: user.email, link: new URL(`/verify-email/${token}`, webUrl).toString() }));
}

export async function verifyEmail(prisma: PrismaClient, token: string): Promise<{ email: string }> {
  const row = await prisma.verificationToken.findFirst({ where: { token: hashKey(token) } });
  if (!row) throw new AppError('NOT_FOUND', 'this verification link is not valid');
  if (row.expires.getTime() <= Date.now()) {
    throw new AppError('BAD_REQUEST', 'this verification link has expired; sign in and ask for a new one');
  }
  await prisma.$transaction([
    prisma.user.updateMany({
      where: { email: row.identifier, emailVerified: null },
      data: { emailVerified: new Date() },
    }),
    prisma.verificationToken.deleteMany({ where: { identifier: row.identifier } }),
  ]);
  return { email: row.identifier };
}
