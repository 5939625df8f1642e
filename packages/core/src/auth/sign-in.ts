import type { PrismaClient } from '@sightline/db';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors.ts';
import { recordAudit } from '../tenancy/audit.ts';
import { hashPassword, verifyPassword } from '../tenancy/organizations.ts';

/** The shared Redis the limits live in, so every api process counts the same attempts. */
export type RedisLike = Redis;

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  emailVerified: Date | null;
  /** Stamped into the portal session; the session ends when the user's version moves on. */
  sessionVersion: number;
}

export interface SignInGuard {
  /** The user for a correct email and password; one generic refusal otherwise; 429 past the limits. */
  authenticate(prisma: PrismaClient, input: { email: string; password: string; ip: string }): Promise<SignedInUser>;
}

export interface SignInLimits {
  /** Attempts per address per minute, whatever the accounts and outcomes. */
  perIpPerMinute?: number;
  /** Wrong passwords for one account from one address before the delays start. */
  freeFailures?: number;
  /** The first delay; each further failure from the same address doubles it, up to maxDelaySeconds. */
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
  /**
   * Wrong passwords for one account from all addresses per hour (distributed guessing) before
   * addresses that never signed in to the account are refused; the owner's own are not.
   */
  perAccountPerHour?: number;
  keyPrefix?: string;
}

const WRONG = 'wrong email or password';
const PAIR_MEMORY_SECONDS = 24 * 3600;
const KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600;

/** How long an (account, address) pair waits after its nth consecutive wrong password. */
export function signInDelaySeconds(
  failures: number,
  limits: { freeFailures: number; baseDelaySeconds: number; maxDelaySeconds: number },
): number {
  if (failures < limits.freeFailures) return 0;
  return Math.min(limits.maxDelaySeconds, limits.baseDelaySeconds * 2 ** (failures - limits.freeFailures));
}

function refuse(msBeforeNext: number): never {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const minutes = Math.ceil(seconds / 60);
  throw new AppError(
    'RATE_LIMITED',
    `too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    [],
    seconds,
  );
}

/**
 * Throttles guessing without handing an attacker the power to lock the owner out: delays grow
 * per (account, address) pair, so failures from one address slow only that address; the
 * per-account cap against guessing from many addresses is generous and spares addresses that
 * have signed in to the account before.
 */
export function createSignInGuard(redis: RedisLike, options: SignInLimits = {}): SignInGuard {
  const prefix = options.keyPrefix ?? 'sightline:sign-in';
  const delays = {
    freeFailures: options.freeFailures ?? 5,
    baseDelaySeconds: options.baseDelaySeconds ?? 30,
    maxDelaySeconds: options.maxDelaySeconds ?? 3600,
  };
  const limiter = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:${name}`, points, duration });
  const perIp = limiter('ip', options.perIpPerMinute ?? 20, 60);
  const pairFailures = limiter('pair-failures', delays.freeFailures, PAIR_MEMORY_SECONDS);
  // Only ever blocked for a computed time; a blocked key reads as more than its one point.
  const pairDelay = limiter('pair-delay', 1, 1);
  const accountFailures = limiter('account', options.perAccountPerHour ?? 100, 3600);
  const knownKey = (email: string, ip: string) => `${prefix}:known:${email}:${ip}`;
  // Unknown emails still cost one argon2 verification, so timing does not reveal accounts.
  const dummyHash = hashPassword('sightline-timing-equaliser');

  const throttle = async (email: string, ip: string, pair: string): Promise<void> => {
    try {
      await perIp.consume(ip);
    } catch (error) {
      if (error instanceof RateLimiterRes) refuse(error.msBeforeNext);
      throw error;
    }
    const delay = await pairDelay.get(pair);
    if (delay && delay.consumedPoints > pairDelay.points) refuse(delay.msBeforeNext);
    const account = await accountFailures.get(email);
    if (account && account.consumedPoints >= accountFailures.points && !(await redis.exists(knownKey(email, ip))))
      refuse(account.msBeforeNext);
  };

  const recordFailure = async (email: string, pair: string): Promise<void> => {
    const [failures] = await Promise.all([pairFailures.penalty(pair), accountFailures.penalty(email)]);
    const seconds = signInDelaySeconds(failures.consumedPoints, delays);
    if (seconds > 0) await pairDelay.block(pair, seconds);
  };

  return {
    async authenticate(prisma, input) {
      const email = input.email.trim().toLowerCase();
      const pair = `${email}:${input.ip}`;
      await throttle(email, input.ip, pair);
      const user = await prisma.user.findUnique({ where: { email } });
      const ok = user?.passwordHash
        ? await verifyPassword(user.passwordHash, input.password)
        : await verifyPassword(await dummyHash, input.password).then(() => false);
      if (!user || !ok) {
        await recordFailure(email, pair);
        throw new AppError('UNAUTHORIZED', WRONG);
      }
      // The account's own count stays: the owner signing in must not reopen it to a distributed guesser.
      await Promise.all([
        pairFailures.delete(pair),
        redis.set(knownKey(email, input.ip), '1', 'EX', KNOWN_ADDRESS_SECONDS),
      ]);
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
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        emailVerified: user.emailVerified,
        sessionVersion: user.sessionVersion,
      };
    },
  };
}
