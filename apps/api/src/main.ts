import {
  createAnalyticsCache,
  createHeavyQuestionGate,
  createPublicLimits,
  createOutboundLimits,
  outboundLimitsConfig,
  publicLimitsConfig,
  queuePrefix,
  createAppDirectory,
  createCredentialResolver,
  createIngestBuffer,
  resolveMaxBacklogBytes,
  createLogger,
  createLogMailer,
  createSignInGuard,
  createSmtpMailer,
  EnvError,
  warnIfRedisNotDurable,
} from '@sightline/core';
import { createPool, createPrismaClient } from '@sightline/db';
import { createAlertQueue, createPrivacyQueue } from '@sightline/jobs';
import { Redis } from 'ioredis';
import { loadServerEnv } from './env.ts';
import { createAuthenticator } from './http/auth.ts';
import { createFormLimiter } from './http/form-limiter.ts';
import { createApiMetrics } from './http/metrics.ts';
import { buildServer } from './http/server.ts';

async function start(): Promise<void> {
  const env = loadServerEnv();
  const log = createLogger('api', env.LOG_LEVEL, env.SIGHTLINE_PROCESS);
  const pool = createPool({ connectionString: env.DATABASE_URL, max: 10 });
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));

  // A PostgreSQL that stops answering (not refusing) must not hold requests for minutes: the
  // credential and app lookups then fall back to what they last knew.
  const prisma = createPrismaClient({ connectionString: env.DATABASE_URL, max: 10, connectTimeoutMs: 5_000 });
  // The credential cache must see Redis even while the api's fail-fast client reconnects.
  const cache = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 });
  cache.on('error', () => undefined);
  // Revocations from any process arrive here by pub/sub; meanwhile principals are answered
  // from memory, so an ingest request makes one Redis round trip (the append), not three.
  const invalidations = new Redis(env.REDIS_URL);
  invalidations.on('error', () => undefined);
  const resolver = createCredentialResolver({
    prisma,
    cache,
    secret: env.SIGHTLINE_SECRET,
    namespace: env.REDIS_PREFIX,
    subscriber: invalidations,
    ttlSeconds: env.CREDENTIAL_CACHE_SECONDS,
    memoMs: env.CREDENTIAL_MEMO_MS,
    lastKnownSeconds: env.INGEST_LAST_KNOWN_SECONDS,
  });
  const auth = createAuthenticator({ resolver, redis: cache, keyPrefix: `${env.REDIS_PREFIX}:auth-fail` });
  const mailer = env.SMTP_URL ? createSmtpMailer(env.SMTP_URL, env.MAIL_FROM) : createLogMailer(log);
  const alertQueue = createAlertQueue({ connection: { url: env.REDIS_URL }, prefix: queuePrefix(env) });
  const privacyQueue = createPrivacyQueue({
    connection: { url: env.REDIS_URL },
    prefix: queuePrefix(env),
    maxInFlightPerOrg: env.PRIVACY_ORG_MAX_IN_FLIGHT,
  });
  const buffer = createIngestBuffer(redis, {
    maxBacklog: env.INGEST_MAX_BACKLOG,
    maxBacklogBytes: await resolveMaxBacklogBytes(cache, env.INGEST_MAX_BACKLOG_BYTES),
    namespace: env.REDIS_PREFIX,
  });
  const app = await buildServer({
    log,
    pool,
    redis,
    prisma,
    resolver,
    auth,
    signInGuard: createSignInGuard(cache, { keyPrefix: `${env.REDIS_PREFIX}:sign-in` }),
    formLimiter: createFormLimiter(cache, { keyPrefix: `${env.REDIS_PREFIX}:form` }),
    ingest: {
      buffer,
      directory: createAppDirectory(prisma, {
        ttlMs: env.APP_SETTINGS_CACHE_MS,
        lastKnown: { cache, namespace: env.REDIS_PREFIX, seconds: env.INGEST_LAST_KNOWN_SECONDS },
      }),
      metrics: createApiMetrics(() => redis.xlen(buffer.stream)),
      limits: { perKey: env.INGEST_KEY_RPM, perDevice: env.INGEST_DEVICE_RPM, perIp: env.INGEST_IP_RPM },
      maxInflightBytes: env.INGEST_MAX_INFLIGHT_BYTES,
    },
    mailer,
    webUrl: env.PUBLIC_WEB_URL,
    publicApiUrl: env.PUBLIC_API_URL,
    signupMode: env.SIGNUP,
    secret: env.SIGHTLINE_SECRET,
    alertQueue,
    privacyQueue,
    analyticsCache: createAnalyticsCache(cache, env.REDIS_PREFIX, {
      heavy: createHeavyQuestionGate(cache, { perOrg: env.ANALYTICS_ORG_MAX_IN_FLIGHT, namespace: env.REDIS_PREFIX }),
      // Dashboards include the current hour: a read rolls up the app's small pending hours first.
      fresh: { pool, log },
    }),
    publicLimits: createPublicLimits(cache, env.REDIS_PREFIX, publicLimitsConfig(env)),
    corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    outbound: {
      targets: env.ALERT_ALLOW_PRIVATE_TARGETS,
      limits: createOutboundLimits(cache, env.REDIS_PREFIX, outboundLimitsConfig(env)),
    },
    metricsToken: env.METRICS_TOKEN,
  });
  // The api's own client fails fast while connecting; the cache client waits for Redis.
  void warnIfRedisNotDurable(cache, log);
  await app.listen({ port: env.PORT, host: env.HOST });
  log.info({ port: env.PORT }, `api listening on http://127.0.0.1:${env.PORT}`);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'api stopping');
    await app.close();
    await Promise.allSettled([
      pool.end(),
      redis.quit(),
      cache.quit(),
      invalidations.quit(),
      alertQueue.close(),
      privacyQueue.close(),
      prisma.$disconnect(),
    ]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

start().catch((error: unknown) => {
  if (error instanceof EnvError) {
    process.stderr.write(`api: ${error.message}\n`);
  } else {
    process.stderr.write(
      `api: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
