import { createApiKeyAs, createApiKeyInput, listApiKeys, revokeApiKeyAs } from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';

export const keysRouter = router({
  list: orgProcedure.query(({ ctx }) => listApiKeys(ctx.deps.prisma, ctx.actor)),
  create: orgProcedure
    .input(createApiKeyInput)
    .mutation(({ ctx, input }) => createApiKeyAs(ctx.deps.prisma, ctx.actor, input)),
  revoke: orgProcedure.input(z.object({ keyId: z.string() })).mutation(async ({ ctx, input }) => {
    await revokeApiKeyAs(ctx.deps.prisma, ctx.deps.resolver, ctx.actor, input.keyId);
    return { revoked: true };
  }),
});
