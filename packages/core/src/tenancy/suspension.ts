import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';

/**
 * A suspended organization's keys stop at the api's door (http/auth.ts); its members still
 * sign in to read and export, but nothing that makes Sightline send on their behalf
 * (test alerts, invitations) until the operator lifts the suspension.
 */
export async function assertNotSuspended(prisma: PrismaClient, orgId: string): Promise<void> {
  const org = await prisma.organization.findUnique({ where: { id: orgId }, select: { suspended: true } });
  if (org?.suspended) {
    throw new AppError(
      'FORBIDDEN',
      'this organization is suspended: test alerts and invitations are off until the operator lifts the suspension',
    );
  }
}
