import {
  commentOnCrashGroup,
  getCrashGroup,
  listCrashGroups,
  listCrashGroupsInput,
  updateCrashGroup,
  updateCrashGroupInput,
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';
import { payload } from '../input.ts';

const groupRef = z.object({ appId: z.number().int(), fingerprint: z.string().min(1).max(64) });

/** Crash groups of an app: the crashes list, one group's detail, status changes, comments. */
export const crashesRouter = router({
  list: orgProcedure
    .input(z.object({ appId: z.number().int() }))
    .input(payload('query', listCrashGroupsInput.prefault({})))
    .query(({ ctx, input }) => listCrashGroups(ctx.deps.prisma, ctx.actor, input.appId, input.query)),
  get: orgProcedure
    .input(groupRef)
    .query(({ ctx, input }) => getCrashGroup(ctx.deps.prisma, ctx.actor, input.appId, input.fingerprint)),
  update: orgProcedure
    .input(groupRef)
    .input(payload('change', updateCrashGroupInput))
    .mutation(({ ctx, input }) =>
      updateCrashGroup(ctx.deps.prisma, ctx.actor, input.appId, input.fingerprint, input.change),
    ),
  comment: orgProcedure
    .input(groupRef.extend({ body: z.string() }))
    .mutation(({ ctx, input }) =>
      commentOnCrashGroup(ctx.deps.prisma, ctx.actor, input.appId, input.fingerprint, { body: input.body }),
    ),
});
