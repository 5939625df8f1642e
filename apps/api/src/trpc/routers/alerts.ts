import {
  alertRuleInput,
  channelInput,
  createAlertRule,
  createChannel,
  createTestAlert,
  deleteAlertRule,
  deleteChannel,
  listAlertRules,
  listChannels,
  listDeliveries,
} from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';
import { payload } from '../input.ts';

const channelRef = z.object({ channelId: z.string() });

/** Alert channels and rules of an org, the delivery log, and test alerts. */
export const alertsRouter = router({
  channels: orgProcedure.query(({ ctx }) => listChannels(ctx.deps.prisma, ctx.actor)),
  createChannel: orgProcedure
    .input(payload('channel', channelInput))
    .mutation(({ ctx, input }) =>
      createChannel(ctx.deps.prisma, ctx.actor, ctx.deps.secret, input.channel, { policy: ctx.deps.outbound.targets }),
    ),
  deleteChannel: orgProcedure.input(channelRef).mutation(async ({ ctx, input }) => {
    await deleteChannel(ctx.deps.prisma, ctx.actor, input.channelId);
    return { deleted: true };
  }),
  sendTestAlert: orgProcedure.input(channelRef).mutation(async ({ ctx, input }) => {
    const deliveryId = await createTestAlert(ctx.deps.prisma, ctx.actor, input.channelId, ctx.deps.outbound.limits);
    await ctx.deps.alertQueue.enqueue([deliveryId]);
    return { deliveryId };
  }),
  rules: orgProcedure.query(({ ctx }) => listAlertRules(ctx.deps.prisma, ctx.actor)),
  createRule: orgProcedure
    .input(payload('rule', alertRuleInput))
    .mutation(({ ctx, input }) => createAlertRule(ctx.deps.prisma, ctx.actor, input.rule)),
  deleteRule: orgProcedure.input(z.object({ ruleId: z.string() })).mutation(async ({ ctx, input }) => {
    await deleteAlertRule(ctx.deps.prisma, ctx.actor, input.ruleId);
    return { deleted: true };
  }),
  deliveries: orgProcedure
    .input(
      z.object({ channelId: z.string().optional(), status: z.string().optional(), limit: z.number().int().optional() }),
    )
    .query(({ ctx, input }) => listDeliveries(ctx.deps.prisma, ctx.actor, input)),
});
