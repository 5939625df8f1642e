import type { Prisma } from '@sightline/db';
import { AppError } from '../errors.ts';
import type { SignupMode } from '../config/env.ts';

// Any fixed 64-bit key distinct from the migration lock (72707369): it serialises only the
// "is this installation still empty?" question, which sign-ups and create-user ask.
const FIRST_ACCOUNT_LOCK_KEY = 72707370;

/**
 * Call first inside the transaction that creates a user. Takes a transaction-scoped advisory
 * lock, so two concurrent first accounts are decided one after the other: the second sees the
 * first's committed row and is not made platform admin. Returns whether no user exists yet.
 */
export async function lockAndCheckEmptyInstallation(tx: Prisma.TransactionClient): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK_KEY}::bigint)`;
  return (await tx.user.findFirst({ select: { id: true } })) === null;
}

/**
 * Self sign-up (the sign-up page, not an invitation) under SIGNUP. `invite` still lets the
 * first account of an empty installation in, so the operator can reach the portal; `closed`
 * never does (the operator runs `sightline create-user`).
 */
export function assertSelfSignUpAllowed(mode: SignupMode, installationEmpty: boolean): void {
  if (mode === 'open' || (mode === 'invite' && installationEmpty)) return;
  throw new AppError(
    'FORBIDDEN',
    mode === 'invite'
      ? 'sign-up is by invitation only on this installation (SIGNUP=invite); ask an organization admin to invite you'
      : 'sign-up is closed on this installation (SIGNUP=closed); ask the operator for an account or an invitation',
  );
}
