import { acceptAsNewUserInput, acceptInvitation, acceptInvitationAsNewUser, describeInvitation } from '@sightline/core';
import { z } from 'zod';
import { publicProcedure, router, userProcedure } from '../init.ts';

const tokenRef = z.object({ token: z.string().min(1).max(200) });

/** The invitation link's page: readable by its holder, accepted signed in or by signing up. */
export const invitationsRouter = router({
  get: publicProcedure.input(tokenRef).query(({ ctx, input }) => describeInvitation(ctx.deps.prisma, input.token)),
  accept: userProcedure
    .input(tokenRef)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.deps.prisma, ctx.userId, input.token)),
  acceptAsNewUser: publicProcedure
    .input(acceptAsNewUserInput)
    .mutation(({ ctx, input }) => acceptInvitationAsNewUser(ctx.deps.prisma, input)),
});
