import type { PrismaClient } from '@sightline/db';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { hashPassword, verifyPassword } from '../tenancy/organizations.ts';

/** The shared Redis the limits live in, so every api process counts the same attempts. */
export type RedisLike = Redis;

export interface SignInGuard {
  /** The user for a correct email and password; one generic refusal otherwise; 429 past the limits. */
  authenticate(
    prisma: PrismaClient,
    input: { email: string; password: string; ip: string },
  ): Promise<{ id: string; email: string; name: string | null; emailVerified: Date | null }>;
}

const WRONG = 'wrong email or password';

export function createSignInGuard(
  redis: RedisLike,
  options: { perIpPerMinute?: number; perAccountPerHour?: number; keyPrefix?: string } = {},
): SignInGuard {
  const prefix = options.keyPrefix ?? 'sightline:sign-in';
  const perIp = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:ip`,
    points: options.perIpPerMinute ?? 20,
    duration: 60,
  });
  const perAccount = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:account`,
    points: options.perAccountPerHour ?? 10,
    duration: 3600,
  });
  // Unknown emails still cost one argon2 verification, so timing does not reveal accounts.
  const dummyHash = hashPassword('sightline-timing-equaliser');

  const refuse = (res: RateLimiterRes): never => {
    const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    const minutes = Math.ceil(seconds / 60);
    throw new AppError(
      'RATE_LIMITED',
      `too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
      [],
      seconds,
    );
  };
  const limited = async (limiter: RateLimiterRedis, key: string, consume: boolean): Promise<void> => {
    if (consume) {
      try {
        await limiter.consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes) refuse(error);
        throw error;
      }
      return;
    }
    const state = await limiter.get(key);
    if (state && state.consumedPoints >= limiter.points) refuse(state);
  };

  return {
    async authenticate(prisma, input) {
      const email = input.email.trim().toLowerCase();
      await limited(perIp, input.ip, true);
      await limited(perAccount, email, false);
      const user = await prisma.user.findUnique({ where: { email } });
      const ok = user?.passwordHash
        ? await verifyPassword(user.passwordHash, input.password)
        : await verifyPassword(await dummyHash, input.password).then(() => false);
      if (!user || !ok) {
        await limited(perAccount, email, true);
        throw new AppError('UNAUTHORIZED', WRONG);
      }
      await perAccount.delete(email);
      const orgs = await prisma.membership.findMany({
        where: { userId: user.id, org: { deletedAt: null } },
        select: { orgId: true },
      });
      for (const { orgId } of orgs) {
        await recordAudit(
          prisma,
          orgId,
          { type: 'USER', id: user.id },
          'user.signed_in',
          { type: 'user', id: user.id },
          { ip: input.ip },
        );
      }
      return { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified };
    },
  };
}
