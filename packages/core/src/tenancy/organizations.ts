import { hash, verify } from '@node-rs/argon2';
import type { PrismaClient } from '@sightline/db';
import { AppError } from '../errors.ts';
import { assertCan, type Role } from './permissions.ts';
import { isUuid } from '../ids.ts';
import { recordAudit, type Actor } from './audit.ts';
import { createOrganizationInput, type CreateOrganizationInput } from '../contracts/tenancy.ts';
import { parseInput } from './validate.ts';

// argon2id with OWASP's recommended floor (19 MiB, 2 passes).
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|(?<!-)-+$/g, '')
    .slice(0, 48);
  return slug || 'org';
}

export async function uniqueSlug(prisma: PrismaClient, name: string): Promise<string> {
  const base = slugify(name);
  const taken = new Set(
    (await prisma.organization.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map(
      (o) => o.slug,
    ),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export interface CreatedOrganization {
  org: { id: string; name: string; slug: string };
  owner: { id: string; email: string };
}

/**
 * Creates an organization and makes the owner its OWNER. A new email creates the user; an
 * existing user joins (their password must match, so this cannot take over an account).
 */
export async function createOrganization(
  prisma: PrismaClient,
  input: CreateOrganizationInput,
  actor: Actor = { type: 'SYSTEM' },
): Promise<CreatedOrganization> {
  const data = parseInput(createOrganizationInput, input);
  const existing = await prisma.user.findUnique({ where: { email: data.ownerEmail } });
  if (existing && !(existing.passwordHash && (await verifyPassword(existing.passwordHash, data.ownerPassword)))) {
    throw new AppError('CONFLICT', `a user with email ${data.ownerEmail} already exists and the password does not match`);
  }
  const passwordHash = existing ? null : await hashPassword(data.ownerPassword);
  const slug = await uniqueSlug(prisma, data.name);

  return prisma.$transaction(async (tx) => {
    const owner =
      existing ??
      (await tx.user.create({
        data: { email: data.ownerEmail, name: data.ownerName ?? null, passwordHash },
      }));
    const org = await tx.organization.create({ data: { name: data.name, slug } });
    await tx.membership.create({ data: { orgId: org.id, userId: owner.id, role: 'OWNER' } });
    await recordAudit(tx, org.id, actor, 'org.created', { type: 'organization', id: org.id }, { owner: owner.email });
    return { org: { id: org.id, name: org.name, slug: org.slug }, owner: { id: owner.id, email: owner.email } };
  });
}

/** The live organization with this id, or NOT_FOUND (a deleted or foreign id alike). */
export async function requireOrganization(prisma: PrismaClient, orgId: string): Promise<{ id: string }> {
  // A malformed id names no organization: the same answer as an unknown one, never a 500.
  if (!isUuid(orgId)) throw new AppError('NOT_FOUND', `organization ${orgId} not found`);
  const org = await prisma.organization.findFirst({ where: { id: orgId, deletedAt: null }, select: { id: true } });
  if (!org) throw new AppError('NOT_FOUND', `organization ${orgId} not found`);
  return org;
}

/** The actor's own organization (VIEWER+). */
export async function getOrganization(prisma: PrismaClient, actor: { orgId: string; role: Role }) {
  assertCan(actor.role, 'org.read');
  const org = await prisma.organization.findFirst({ where: { id: actor.orgId, deletedAt: null } });
  if (!org) throw new AppError('NOT_FOUND', 'organization not found');
  return org;
}
