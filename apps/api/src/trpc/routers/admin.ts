import {
  createDeadLetterStore,
  listOrganizationsForAdmin,
  setOrganizationSuspended,
  updateOrganizationPlan,
} from '@sightline/core';
import { z } from 'zod';
import { platformAdminProcedure, router } from '../init.ts';

const orgRef = z.object({ orgId: z.string() });

/** The operators' view across tenants: plans, quotas, suspension, dead letters; never telemetry. */
export const adminRouter = router({
  organizations: platformAdminProcedure.query(({ ctx }) => listOrganizationsForAdmin(ctx.deps.prisma, ctx.admin)),
  updatePlan: platformAdminProcedure
    .input(orgRef.extend({ plan: z.string(), monthlyEventQuota: z.number(), monthlyCrashQuota: z.number().optional() }))
    .mutation(({ ctx, input }) =>
      updateOrganizationPlan(ctx.deps.prisma, ctx.admin, input.orgId, {
        plan: input.plan,
        monthlyEventQuota: input.monthlyEventQuota,
        monthlyCrashQuota: input.monthlyCrashQuota,
      }),
    ),
  setSuspended: platformAdminProcedure
    .input(orgRef.extend({ suspended: z.boolean(), reason: z.string().optional() }))
    .mutation(({ ctx, input }) =>
      setOrganizationSuspended(ctx.deps.prisma, ctx.deps.resolver, ctx.admin, input.orgId, {
        suspended: input.suspended,
        reason: input.reason,
      }),
    ),
  /** What the writers could not store: metadata only (no payloads: they are tenants' telemetry). */
  deadLetters: platformAdminProcedure
    .input(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).default({ limit: 100 }))
    .query(async ({ ctx, input }) => {
      const store = createDeadLetterStore(ctx.deps.redis, ctx.deps.ingest.buffer);
      const [count, letters] = await Promise.all([store.count(), store.list(input.limit)]);
      return { count, letters };
    }),
  /** Re-appends one dead letter (or all) to its buffer stream; one that fails again comes back. */
  replayDeadLetters: platformAdminProcedure
    .input(z.object({ id: z.string().min(1).max(200).optional() }))
    .mutation(({ ctx, input }) =>
      createDeadLetterStore(ctx.deps.redis, ctx.deps.ingest.buffer).replay(input.id ? [input.id] : undefined),
    ),
});
