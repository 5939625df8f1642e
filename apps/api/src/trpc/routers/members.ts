import {
  changeMemberRole,
  inviteMemberByEmail,
  inviteMemberInput,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
  ROLES,
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';

const memberRef = z.object({ userId: z.string() });

export const membersRouter = router({
  list: orgProcedure.query(({ ctx }) => listMembers(ctx.deps.prisma, ctx.actor)),
  invite: orgProcedure
    .input(inviteMemberInput)
    .mutation(({ ctx, input }) =>
      inviteMemberByEmail(
        ctx.deps.prisma,
        ctx.deps.mailer,
        ctx.deps.webUrl,
        ctx.actor,
        input,
        ctx.deps.outbound.limits,
      ),
    ),
  invitations: orgProcedure.query(({ ctx }) => listInvitations(ctx.deps.prisma, ctx.actor)),
  revokeInvitation: orgProcedure.input(z.object({ invitationId: z.string() })).mutation(async ({ ctx, input }) => {
    await revokeInvitation(ctx.deps.prisma, ctx.actor, input.invitationId);
    return { revoked: true };
  }),
  changeRole: orgProcedure
    .input(memberRef.extend({ role: z.enum(ROLES) }))
    .mutation(({ ctx, input }) => changeMemberRole(ctx.deps.prisma, ctx.actor, input.userId, input.role)),
  remove: orgProcedure.input(memberRef).mutation(async ({ ctx, input }) => {
    await removeMember(ctx.deps.prisma, ctx.actor, input.userId);
    return { removed: true };
  }),
});
