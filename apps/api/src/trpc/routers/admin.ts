import {
  createDeadLetterStore,
  listOrganizationsForAdmin,
  setOrganizationSuspended,
  suspendInput,
  updateOrganizationPlan,
  updatePlanInput,
} from '@sightline/core';
import { z } from 'zod';
import { platformAdminProcedure, router } from '../init.ts';
import { checked } from '../input.ts';

const orgRef = z.object({ orgId: z.string() });

/** The operators' view across tenants: plans, quotas, suspension, dead letters; never telemetry. */
export const adminRouter = router({
  organizations: platformAdminProcedure.query(({ ctx }) => listOrganizationsForAdmin(ctx.deps.prisma, ctx.admin)),
  updatePlan: platformAdminProcedure
    .input(orgRef)
    .input(checked(updatePlanInput))
    .mutation(({ ctx, input: { orgId, ...plan } }) => updateOrganizationPlan(ctx.deps.prisma, ctx.admin, orgId, plan)),
  setSuspended: platformAdminProcedure
    .input(orgRef)
    .input(checked(suspendInput))
    .mutation(({ ctx, input: { orgId, ...change } }) =>
      setOrganizationSuspended(ctx.deps.prisma, ctx.deps.resolver, ctx.admin, orgId, change),
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
