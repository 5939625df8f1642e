import { randomUUID } from 'node:crypto';
import type { CredentialResolver, Logger, Mailer, SignInGuard } from '@sightline/core';
import type { PrismaClient } from '@sightline/db';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Authenticator } from './auth.ts';
import type { FormLimiter } from './form-limiter.ts';
import { installErrorHandling } from './errors.ts';
import { registerHealthRoutes } from './health.ts';
import { registerGraphQL } from '../graphql/plugin.ts';
import { registerDeviceRoutes } from './routes/devices.ts';
import { registerTrpc } from '../trpc/plugin.ts';

export interface ServerDeps {
  log: Logger;
  pool: pg.Pool;
  redis: Redis;
  prisma: PrismaClient;
  resolver: CredentialResolver;
  auth: Authenticator;
  /** Portal sign-in: password check with per-address and per-account limits. */
  signInGuard: SignInGuard;
  formLimiter: FormLimiter;
  mailer: Mailer;
  /** The portal's public URL, for links in emails. */
  webUrl: string;
  /** Where SDKs reach this api: DSNs shown in the portal point here. */
  publicApiUrl: string;
  /** SIGHTLINE_SECRET: signs device tokens. */
  secret: string;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: deps.log,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  installErrorHandling(app, deps.log);
  registerHealthRoutes(app, deps);
  registerDeviceRoutes(app, deps);
  registerGraphQL(app, deps);
  await registerTrpc(app, deps);
  await app.ready();
  return app;
}
