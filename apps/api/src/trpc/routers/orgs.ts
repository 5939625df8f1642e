import {
  createOrganizationForUser,
  getOrganization,
  listUserOrganizations,
  removeMember,
  newOrganizationInput,
  updateOrganization,
  updateOrganizationInput,
} from '@sightline/core';
import { orgProcedure, router, userProcedure } from '../init.ts';
import { checked } from '../input.ts';

export const orgsRouter = router({
  list: userProcedure.query(({ ctx }) => listUserOrganizations(ctx.deps.prisma, ctx.userId)),
  create: userProcedure
    .input(checked(newOrganizationInput))
    .mutation(({ ctx, input }) => createOrganizationForUser(ctx.deps.prisma, ctx.userId, input.name)),
  get: orgProcedure.query(({ ctx }) => getOrganization(ctx.deps.prisma, ctx.actor)),
  update: orgProcedure
    .input(checked(updateOrganizationInput))
    .mutation(({ ctx, input: { orgId: _orgId, ...change } }) => updateOrganization(ctx.deps.prisma, ctx.actor, change)),
  leave: orgProcedure.mutation(async ({ ctx }) => {
    await removeMember(ctx.deps.prisma, ctx.actor, ctx.actor.userId);
    return { left: true };
  }),
});
