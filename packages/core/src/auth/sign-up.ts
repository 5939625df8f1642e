import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { hashPassword, uniqueSlug } from '../tenancy/organizations.ts';
import { signUpInput, type SignUpInput } from '../contracts/auth.ts';
import { parseInput } from '../tenancy/validate.ts';
import type { SignupMode } from '../config/env.ts';
import { sendVerificationEmail } from './email-verification.ts';
import { assertSelfSignUpAllowed, lockAndCheckEmptyInstallation } from './first-admin.ts';

export interface SignedUp {
  userId: string;
  orgId: string;
  orgSlug: string;
  /** The first account of an empty installation is made platform administrator. */
  platformAdmin: boolean;
}

export interface SignUpOptions {
  /** SIGNUP: refused with 403 unless `open` (or `invite` on an empty installation). */
  signupMode?: SignupMode;
}

const TAKEN = 'an account with this email already exists; sign in instead';
const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'P2002';

/**
 * A new user and their organization in one step; they become its OWNER. The verification
 * mail goes out afterwards: if it fails, the account stands and the user can ask again.
 */
export async function signUp(
  prisma: PrismaClient,
  mailer: Mailer,
  webUrl: string,
  input: SignUpInput,
  options: SignUpOptions = {},
): Promise<SignedUp> {
  const mode = options.signupMode ?? 'open';
  // Refuse before validating or hashing: a closed installation says so whatever was typed.
  if (mode !== 'open') assertSelfSignUpAllowed(mode, (await prisma.user.findFirst({ select: { id: true } })) === null);
  const data = parseInput(signUpInput, input);
  const emailTaken = async (): Promise<boolean> =>
    (await prisma.user.findUnique({ where: { email: data.email }, select: { id: true } })) !== null;
  if (await emailTaken()) throw new AppError('CONFLICT', TAKEN);
  const passwordHash = await hashPassword(data.password);

  // Two sign-ups may race for the same email (one wins, the other is told to sign in) or,
  // with different emails, for the same org slug (the loser simply takes the next slug).
  let created: SignedUp | undefined;
  for (let attempt = 1; !created; attempt++) {
    const slug = await uniqueSlug(prisma, data.organization);
    try {
      created = await prisma.$transaction(async (tx) => {
        const first = await lockAndCheckEmptyInstallation(tx);
        // Asked again under the lock: two racing "first" sign-ups under `invite` let in one.
        assertSelfSignUpAllowed(mode, first);
        const user = await tx.user.create({
          data: { email: data.email, name: data.name, passwordHash, isPlatformAdmin: first },
        });
        const org = await tx.organization.create({ data: { name: data.organization, slug } });
        await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: 'OWNER' } });
        const actor = { type: 'USER', id: user.id } as const;
        await recordAudit(tx, org.id, actor, 'user.signed_up', { type: 'user', id: user.id });
        await recordAudit(tx, org.id, actor, 'org.created', { type: 'organization', id: org.id });
        if (first) await recordAudit(tx, org.id, actor, 'user.platform_admin_granted', { type: 'user', id: user.id });
        return { userId: user.id, orgId: org.id, orgSlug: org.slug, platformAdmin: first };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (await emailTaken()) throw new AppError('CONFLICT', TAKEN);
      if (attempt >= 5) throw new AppError('CONFLICT', 'could not pick a free organization address; try again');
    }
  }
  await sendVerificationEmail(prisma, mailer, webUrl, created.userId).catch(() => undefined);
  return created;
}
