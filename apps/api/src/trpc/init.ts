import { AppError, isAppError, requireMembership, requirePlatformAdmin, type ErrorCode } from '@sightline/core';
import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import type { TrpcContext } from './context.ts';

type TrpcCode = TRPCError['code'];

const TRPC_CODES: Record<ErrorCode, TrpcCode> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

const zodIssues = (error: ZodError) => error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    if (cause instanceof ZodError) {
      const issues = zodIssues(cause);
      const message = issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join('; ');
      return { ...shape, message, data: { ...shape.data, issues, stack: undefined } };
    }
    if (isAppError(cause)) {
      return {
        ...shape,
        data: { ...shape.data, issues: cause.issues, retryAfter: cause.retryAfter ?? null, stack: undefined },
      };
    }
    // Unexpected failures are logged by the adapter; the client learns nothing internal.
    if (error.code === 'INTERNAL_SERVER_ERROR')
      return { ...shape, message: 'internal error', data: { ...shape.data, stack: undefined } };
    return { ...shape, data: { ...shape.data, stack: undefined } };
  },
});

/** Service errors keep their code and message; a foreign id's NOT_FOUND stays NOT_FOUND. */
const serviceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODES[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(serviceErrors);

/** A signed-in user (portal session). */
export const userProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.userId) throw new AppError('UNAUTHORIZED', 'sign in to continue');
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});

/**
 * Work inside one organization the user belongs to: the org id names which of the user's
 * organizations, and membership decides the role. Another org's id is NOT_FOUND.
 */
export const orgProcedure = userProcedure.input(z.object({ orgId: z.string() })).use(async ({ ctx, input, next }) => {
  const actor = await requireMembership(ctx.deps.prisma, ctx.userId, input.orgId);
  return next({ ctx: { ...ctx, actor } });
});

/** The operators of this installation. */
export const platformAdminProcedure = userProcedure.use(async ({ ctx, next }) => {
  const admin = await requirePlatformAdmin(ctx.deps.prisma, ctx.userId);
  return next({ ctx: { ...ctx, admin } });
});
