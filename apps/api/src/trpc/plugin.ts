import { isAppError } from '@sightline/core';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../http/server.ts';
import { createTrpcContext } from './context.ts';
import { appRouter, type AppRouter } from './router.ts';

export async function registerTrpc(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }) => createTrpcContext(deps, req),
      // A refusal that names a time to come back (rate limits) says so the standard way too.
      responseMeta: ({ errors }) => {
        const waits = errors.flatMap((e) => (isAppError(e.cause) && e.cause.retryAfter ? [e.cause.retryAfter] : []));
        return waits.length > 0 ? { headers: { 'retry-after': String(Math.max(...waits)) } } : {};
      },
      onError: ({ error, path, req }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR')
          deps.log.error({ err: error.cause ?? error, path, reqId: req.id }, 'tRPC procedure failed');
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });
}
