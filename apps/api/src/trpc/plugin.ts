import { isAppError } from '@sightline/core';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../http/server.ts';
import { createTrpcContext } from './context.ts';
import { appRouter, type AppRouter } from './router.ts';

/**
 * Procedures one request may batch: the portal's busiest page sends about ten, and its client
 * link splits at 20 (apps/web/src/lib/trpc.tsx). More is refused with 400 before any runs, so
 * one request cannot queue hundreds of queries on the database pool.
 */
export const TRPC_MAX_BATCH_SIZE = 20;

export async function registerTrpc(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
      createContext: ({ req }) => createTrpcContext(deps, req),
      // A limit reached says when to try again in the header too, as REST answers do.
      responseMeta: ({ errors }) => {
        const waits = errors.map((e) => (isAppError(e.cause) ? (e.cause.retryAfter ?? 0) : 0));
        const wait = Math.max(0, ...waits);
        return wait > 0 ? { headers: new Headers({ 'retry-after': String(wait) }) } : {};
      },
      onError: ({ error, path, req }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          deps.log.error({ err: error.cause ?? error, path, reqId: req.id }, 'tRPC procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });
}
