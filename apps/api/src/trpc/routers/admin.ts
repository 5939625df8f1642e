import { listOrganizationsForAdmin, setOrganizationSuspended, updateOrganizationPlan } from '@sightline/core';
import { z } from 'zod';
import { platformAdminProcedure, router } from '../init.ts';

const orgRef = z.object({ orgId: z.string() });

/** The operators' view across tenants: plans, quotas, suspension; never telemetry. */
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
});
