import { randomUUID } from 'node:crypto';
import type {
  AnalyticsCache,
  PublicLimits,
  OutboundLimits,
  TargetPolicy,
  AppDirectory,
  CredentialResolver,
  IngestBuffer,
  Logger,
  Mailer,
  SignInGuard,
  TrustProxy,
} from '@sightline/core';
import type { PrismaClient } from '@sightline/db';
import type { AlertQueue, PrivacyQueue } from '@sightline/jobs';
import { trustFunction, type SignupMode } from '@sightline/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { installEarlyAuthentication, type Authenticator } from './auth.ts';
import { installCors } from './cors.ts';
import { createBodyBudget, DEFAULT_MAX_INFLIGHT_BYTES, installBodyLimits } from './body-budget.ts';
import { installBodyDecoding } from './compression.ts';
import type { FormLimiter } from './form-limiter.ts';
import type { ApiMetrics } from './metrics.ts';
import { registerAnalyticsRoutes } from './routes/analytics.ts';
import { registerCrashRoutes } from './routes/crashes.ts';
import { registerSentryRoutes } from './routes/sentry.ts';
import { registerTelemetryRoutes } from './routes/telemetry.ts';
import { registerSdkAssetRoutes } from './routes/sdk-assets.ts';
import { loadSdkBundles, type SdkBundles } from './sdk-bundles.ts';
import { installErrorHandling } from './errors.ts';
import { registerHealthRoutes } from './health.ts';
import { withRedactedRequests } from './log-redaction.ts';
import { allowOperator } from './operator-access.ts';
import { registerGraphQL } from '../graphql/plugin.ts';
import { registerDeviceRoutes } from './routes/devices.ts';
import { registerPrivacyRoutes } from './routes/privacy.ts';
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
  /** SIGNUP: who may create an account from the sign-up page (default open). */
  signupMode?: SignupMode;
  ingest: {
    buffer: IngestBuffer;
    directory: AppDirectory;
    metrics: ApiMetrics;
    /** Requests per minute (sliding window) per credential, per device, per address. */
    limits: { perKey: number; perDevice: number; perIp: number };
    /** INGEST_MAX_INFLIGHT_BYTES: estimated heap all request bodies in flight may take (body-budget.ts). */
    maxInflightBytes?: number;
  };
  /** SIGHTLINE_SECRET: signs device tokens, seals channel secrets. */
  secret: string;
  /** Where test alerts are queued for the worker to deliver. */
  alertQueue: AlertQueue;
  /** Where GDPR requests are queued for the worker. */
  privacyQueue: PrivacyQueue;
  /** Dashboard answers, kept until the app's next rollup. */
  analyticsCache: AnalyticsCache;
  /** Device registration and privacy endpoints: per key, per address, per device (Redis). */
  publicLimits: PublicLimits;
  /** CORS_ALLOWED_ORIGINS: other origins that may use GraphQL, tRPC and the REST queries (cors.ts). */
  corsAllowedOrigins?: readonly string[];
  /** TRUST_PROXY: whose X-Forwarded-For names the client (`request.ip`); off when absent. */
  trustProxy?: TrustProxy;
  /** What members make Sightline send: where webhooks may point, hourly limits per org. */
  outbound: { targets: TargetPolicy; limits: OutboundLimits };
  /** METRICS_TOKEN: the bearer `/metrics` and `/readyz?detail=1` require; unset, they answer 404. */
  metricsToken?: string | undefined;
  /** The browser SDK's <script> files served at /sdk/…; loaded from the SDK package when absent (sdk-bundles.ts). */
  sdkBundles?: SdkBundles | null;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger>({
    loggerInstance: withRedactedRequests(deps.log),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    },
    trustProxy: deps.trustProxy ? trustFunction(deps.trustProxy) : false,
    bodyLimit: 1024 * 1024,
    // A body must arrive within a minute: a stalled upload would otherwise hold its share of
    // the body budget (body-budget.ts) for as long as the client keeps the socket open.
    requestTimeout: 60_000,
    // tRPC batches name every procedure in one path segment ("a.b,c.d,…"): a dashboard page
    // batches ten; Fastify's default of 100 characters answered 414.
    routerOptions: { maxParamLength: 5000 },
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  installErrorHandling(app, deps.log);
  installBodyDecoding(app);
  installBodyLimits(app, createBodyBudget(deps.ingest.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES));
  // Who may call from a browser on another origin: cors.ts.
  await installCors(app, deps.corsAllowedOrigins);
  // After CORS, so a refusal to a browser still carries the CORS headers it needs to read it.
  installEarlyAuthentication(app, deps.auth);
  app.addHook('onResponse', async (request, reply) => {
    deps.ingest.metrics.requests.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', async (request, reply) => {
    if (!allowOperator(deps.metricsToken, request, reply)) return reply;
    return reply
      .header('content-type', deps.ingest.metrics.registry.contentType)
      .send(await deps.ingest.metrics.registry.metrics());
  });
  registerHealthRoutes(app, deps);
  registerSdkAssetRoutes(app, deps.sdkBundles !== undefined ? deps.sdkBundles : await loadSdkBundles(deps.log));
  registerDeviceRoutes(app, deps);
  registerPrivacyRoutes(app, deps);
  registerTelemetryRoutes(app, deps);
  registerSentryRoutes(app, deps);
  registerCrashRoutes(app, deps);
  registerAnalyticsRoutes(app, deps);
  registerGraphQL(app, deps);
  await registerTrpc(app, deps);
  await app.ready();
  return app;
}
