import { listAuditLog } from '@sightline/core';
import { z } from 'zod';
import { orgProcedure, router } from '../init.ts';

export const auditRouter = router({
  list: orgProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100) }))
    .query(({ ctx, input }) => listAuditLog(ctx.deps.prisma, ctx.actor, input.limit)),
});
