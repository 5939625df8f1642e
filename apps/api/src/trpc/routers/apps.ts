import {
  createAppAs,
  createAppInput,
  deleteApp,
  getApp,
  getIngestKeyAs,
  latestReceivedAs,
  listApps,
  revokeDeviceTokensAs,
  rotateIngestKeyAs,
  updateApp,
  updateAppInput,
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';

const appRef = z.object({ appId: z.number().int() });

export const appsRouter = router({
  list: orgProcedure.query(({ ctx }) => listApps(ctx.deps.prisma, ctx.actor)),
  get: orgProcedure.input(appRef).query(({ ctx, input }) => getApp(ctx.deps.prisma, ctx.actor, input.appId)),
  /** The app's current `pk_` key, DSN and endpoint: public, so any member may see them again. */
  ingestKey: orgProcedure
    .input(appRef)
    .query(({ ctx, input }) => getIngestKeyAs(ctx.deps.prisma, ctx.actor, input.appId, ctx.deps.publicApiUrl)),
  /** The newest stored event or crash report (setup page: "waiting for your first event"). */
  latestReceived: orgProcedure
    .input(appRef)
    .query(({ ctx, input }) => latestReceivedAs(ctx.deps.prisma, ctx.actor, input.appId)),
  create: orgProcedure
    .input(createAppInput)
    .mutation(({ ctx, input }) => createAppAs(ctx.deps.prisma, ctx.actor, input, ctx.deps.publicApiUrl)),
  update: orgProcedure
    .input(appRef.extend({ settings: updateAppInput }))
    .mutation(({ ctx, input }) => updateApp(ctx.deps.prisma, ctx.actor, input.appId, input.settings)),
  delete: orgProcedure.input(appRef).mutation(async ({ ctx, input }) => {
    await deleteApp(ctx.deps.prisma, ctx.deps.resolver, ctx.actor, input.appId);
    return { deleted: true };
  }),
  rotateIngestKey: orgProcedure
    .input(
      appRef.extend({
        graceHours: z
          .number()
          .int()
          .min(0)
          .max(24 * 30)
          .default(0),
      }),
    )
    .mutation(({ ctx, input }) =>
      rotateIngestKeyAs(
        ctx.deps.prisma,
        ctx.deps.resolver,
        ctx.actor,
        input.appId,
        input.graceHours,
        ctx.deps.publicApiUrl,
      ),
    ),
  revokeDeviceTokens: orgProcedure
    .input(appRef.extend({ deviceId: z.string().optional() }))
    .mutation(async ({ ctx, input }) => ({
      revoked: await revokeDeviceTokensAs(ctx.deps.prisma, ctx.deps.resolver, ctx.actor, input.appId, input.deviceId),
    })),
});
