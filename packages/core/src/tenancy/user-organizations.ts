import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { recordAudit } from './audit.ts';
import type { OrgActor } from './members.ts';
import { uniqueSlug } from './organizations.ts';
import { assertCan, type Role } from './permissions.ts';
import { parseInput } from './validate.ts';
import { newOrganizationInput, updateOrganizationInput, type UpdateOrganizationInput } from '../contracts/tenancy.ts';

export interface UserOrganization {
  id: string;
  name: string;
  slug: string;
  role: Role;
  suspended: boolean;
  suspendedReason: string | null;
}

/** The live organizations a user belongs to, for the org switcher. */
export async function listUserOrganizations(prisma: PrismaClient, userId: string): Promise<UserOrganization[]> {
  const rows = await prisma.membership.findMany({
    where: { userId, org: { deletedAt: null } },
    select: {
      role: true,
      org: { select: { id: true, name: true, slug: true, suspended: true, suspendedReason: true } },
    },
    orderBy: { org: { name: 'asc' } },
  });
  return rows.map((m) => ({ ...m.org, role: m.role }));
}

/** A signed-in user starts another organization, as its OWNER. */
export async function createOrganizationForUser(prisma: PrismaClient, userId: string, name: string) {
  const data = parseInput(newOrganizationInput, { name });
  const slug = await uniqueSlug(prisma, data.name);
  return prisma.$transaction(async (tx) => {
    const org = await tx.organization.create({ data: { name: data.name, slug } });
    await tx.membership.create({ data: { orgId: org.id, userId, role: 'OWNER' } });
    await recordAudit(tx, org.id, { type: 'USER', id: userId }, 'org.created', { type: 'organization', id: org.id });
    return { id: org.id, name: org.name, slug: org.slug };
  });
}

/** Renames the org or changes its slug (ADMIN+). */
export async function updateOrganization(prisma: PrismaClient, actor: OrgActor, input: UpdateOrganizationInput) {
  assertCan(actor.role, 'org.update');
  const data = parseInput(updateOrganizationInput, input);
  const before = await prisma.organization.findFirst({ where: { id: actor.orgId, deletedAt: null } });
  if (!before) throw new AppError('NOT_FOUND', 'organization not found');
  if (data.slug && data.slug !== before.slug) {
    const taken = await prisma.organization.findUnique({ where: { slug: data.slug }, select: { id: true } });
    if (taken) throw new AppError('CONFLICT', `the slug "${data.slug}" is taken`);
  }
  try {
    return await prisma.$transaction(async (tx) => {
      const org = await tx.organization.update({
        where: { id: actor.orgId },
        data: { name: data.name, slug: data.slug },
      });
      await recordAudit(
        tx,
        actor.orgId,
        actor.audit,
        'org.updated',
        { type: 'organization', id: actor.orgId },
        {
          from: { name: before.name, slug: before.slug },
          to: { name: org.name, slug: org.slug },
        },
      );
      return org;
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'P2002')
      throw new AppError('CONFLICT', `the slug "${data.slug}" is taken`);
    throw error;
  }
}
