import { createPrismaClient, type PrismaClient } from '@sightline/db';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors.ts';
import { createTestOrg } from '../testing/index.ts';
import { requireMembership } from './members.ts';
import { createOrganizationForUser, listUserOrganizations, updateOrganization } from './user-organizations.ts';

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrismaClient({ connectionString: db.url, max: 4 });
});

afterAll(async () => {
  await prisma.$disconnect();
  await db.drop();
});

async function rejects(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toMatch(message);
}

describe("a user's organizations", () => {
  it('lists the live organizations the user belongs to, by name, with their role and suspension', async () => {
    const { org: zeta, owner } = await createTestOrg(prisma, { name: 'Zeta Works' });
    const alpha = await createOrganizationForUser(prisma, owner.id, 'Alpha Labs');
    const { org: joined } = await createTestOrg(prisma, { name: 'Middle Co' });
    await prisma.membership.create({ data: { orgId: joined.id, userId: owner.id, role: 'VIEWER' } });
    await prisma.organization.update({
      where: { id: joined.id },
      data: { suspended: true, suspendedReason: 'unpaid invoices' },
    });
    const { org: gone } = await createTestOrg(prisma, { name: 'Beta Gone' });
    await prisma.membership.create({ data: { orgId: gone.id, userId: owner.id, role: 'ADMIN' } });
    await prisma.organization.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    await createTestOrg(prisma, { name: 'Not Mine' });

    expect(await listUserOrganizations(prisma, owner.id)).toEqual([
      { id: alpha.id, name: 'Alpha Labs', slug: alpha.slug, role: 'OWNER', suspended: false, suspendedReason: null },
      {
        id: joined.id,
        name: 'Middle Co',
        slug: joined.slug,
        role: 'VIEWER',
        suspended: true,
        suspendedReason: 'unpaid invoices',
      },
      { id: zeta.id, name: 'Zeta Works', slug: zeta.slug, role: 'OWNER', suspended: false, suspendedReason: null },
    ]);
  });
});

describe('updating an organization', () => {
  it('renames and re-slugs it, recording both values in the audit log', async () => {
    const { org, owner } = await createTestOrg(prisma, { name: 'Old Name' });
    const actor = await requireMembership(prisma, owner.id, org.id);
    const updated = await updateOrganization(prisma, actor, { name: 'New Name', slug: 'new-name-co' });
    expect(updated).toMatchObject({ id: org.id, name: 'New Name', slug: 'new-name-co' });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { orgId: org.id, action: 'org.updated' } });
    expect(audit.metadata).toEqual({
      from: { name: 'Old Name', slug: org.slug },
      to: { name: 'New Name', slug: 'new-name-co' },
    });
  });

  it('refuses a slug another organization has, and malformed slugs', async () => {
    const { org: taken } = await createTestOrg(prisma);
    const { org, owner } = await createTestOrg(prisma);
    const actor = await requireMembership(prisma, owner.id, org.id);
    await rejects(
      updateOrganization(prisma, actor, { slug: taken.slug }),
      'CONFLICT',
      new RegExp(`"${taken.slug}" is taken`),
    );
    for (const slug of ['Upper', '-leading', 'trailing-', 'a'.repeat(49), 'with space'])
      await rejects(updateOrganization(prisma, actor, { slug }), 'BAD_REQUEST', /slug/);
    await rejects(updateOrganization(prisma, actor, { name: '' }), 'BAD_REQUEST', /name/);
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).slug).toBe(org.slug);
    // Keeping its own slug is no conflict.
    await expect(updateOrganization(prisma, actor, { slug: org.slug })).resolves.toMatchObject({ slug: org.slug });
  });

  it('forbids a VIEWER to change it', async () => {
    const { org } = await createTestOrg(prisma, { name: 'Guarded' });
    const viewer = await prisma.user.create({ data: { email: `viewer-${org.id}@example.test` } });
    await prisma.membership.create({ data: { orgId: org.id, userId: viewer.id, role: 'VIEWER' } });
    const actor = await requireMembership(prisma, viewer.id, org.id);
    await rejects(updateOrganization(prisma, actor, { name: 'Hijacked' }), 'FORBIDDEN', /VIEWER/);
    expect((await prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).name).toBe('Guarded');
  });
});
