import {
  createAnalyticsCache,
  createHeavyQuestionGate,
  createAppDirectory,
  createCredentialResolver,
  createIngestBuffer,
  createLogger,
  createLogMailer,
  createOutboundLimits,
  createPublicLimits,
  createSignInGuard,
  STRICT_TARGETS,
  type FreshRollupOptions,
  type Mailer,
  type OutboundLimitsConfig,
  type PublicLimitsConfig,
  type TargetPolicy,
} from '@sightline/core';
import { createPool, createPrismaClient } from '@sightline/db';
import { createAlertQueue, createPrivacyQueue } from '@sightline/jobs';
import { Redis } from 'ioredis';
import { createAuthenticator } from './auth.ts';
import { createFormLimiter } from './form-limiter.ts';
import { createApiMetrics } from './metrics.ts';
import type { ServerDeps } from './server.ts';

export { portalSessionCookie } from './session-testing.ts';

/** Limits high enough that tests about something else never meet them. */
const GENEROUS_LIMITS: PublicLimitsConfig = {
  registerPerKeyPerMinute: 100_000,
  registerPerIpPerMinute: 100_000,
  registerPerDevicePerHour: 10_000,
  privacyRequestsPerDevicePerDay: 10_000,
  privacyRequestsPerAppPerHour: 100_000,
  settingsWritesPerDevicePerMinute: 10_000,
  privacyCallsPerAppPerMinute: 100_000,
};

const GENEROUS_OUTBOUND_LIMITS: OutboundLimitsConfig = {
  testAlertsPerHour: 10_000,
  invitationsPerHour: 10_000,
  emailRecipientsPerHour: 100_000,
};

export const TEST_SECRET = 'api-test-secret-'.padEnd(48, 'z');
/** The METRICS_TOKEN of test apis; `operatorHeaders` carries it to `/metrics` and `/readyz?detail=1`. */
export const TEST_METRICS_TOKEN = 'api-test-metrics-token';
export const operatorHeaders = { authorization: `Bearer ${TEST_METRICS_TOKEN}` };

/** Real dependencies for an api under test, against one test database. */
export function createTestServerDeps(
  databaseUrl: string,
  mailer?: Mailer,
  options: {
    redisUrl?: string;
    publicLimits?: Partial<PublicLimitsConfig>;
    privacyOrgMaxInFlight?: number;
    outboundLimits?: Partial<OutboundLimitsConfig>;
    /** Where webhooks may point; strict (public addresses only) unless a test says otherwise. */
    targets?: TargetPolicy;
    analyticsOrgMaxInFlight?: number;
    /** false: dashboards read the rollups as the aggregator left them (no rollup on read); or its limits. */
    freshRollups?: false | FreshRollupOptions;
    /** Serve the SDK's <script> files at /sdk/… (loaded, or built, at start: most tests need not pay for it). */
    serveSdk?: boolean;
  } = {},
): ServerDeps & { namespace: string; close(): Promise<void> } {
  const pool = createPool({ connectionString: databaseUrl, max: 2 });
  const prisma = createPrismaClient({ connectionString: databaseUrl, max: 2 });
  const redis = new Redis(options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => undefined);
  const namespace = `test-${Math.random().toString(36).slice(2)}`;
  const resolver = createCredentialResolver({ prisma, cache: redis, secret: TEST_SECRET, namespace });
  const log = createLogger('api-test', 'silent');
  const buffer = createIngestBuffer(redis, { namespace });
  const alertQueue = createAlertQueue({
    connection: { url: options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: `${namespace}-bull`,
  });
  const privacyQueue = createPrivacyQueue({
    connection: { url: options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    prefix: `${namespace}-bull`,
    ...(options.privacyOrgMaxInFlight !== undefined ? { maxInFlightPerOrg: options.privacyOrgMaxInFlight } : {}),
  });
  return {
    log,
    mailer: mailer ?? createLogMailer(log),
    webUrl: 'http://portal.test',
    publicApiUrl: 'http://api.test:4000',
    pool,
    prisma,
    redis,
    resolver,
    auth: createAuthenticator({ resolver, redis, keyPrefix: `${namespace}:auth-fail` }),
    signInGuard: createSignInGuard(redis, { keyPrefix: `${namespace}:sign-in` }),
    formLimiter: createFormLimiter(redis, { keyPrefix: `${namespace}:form` }),
    ingest: {
      buffer,
      directory: createAppDirectory(prisma, 0),
      metrics: createApiMetrics(() => redis.xlen(buffer.stream)),
      limits: { perKey: 100_000, perDevice: 10_000, perIp: 100_000 },
    },
    /** The Redis key namespace this api uses (its stream is `${namespace}:ingest:events`). */
    namespace,
    secret: TEST_SECRET,
    metricsToken: TEST_METRICS_TOKEN,
    ...(options.serveSdk ? {} : { sdkBundles: null }),
    alertQueue,
    privacyQueue,
    analyticsCache: createAnalyticsCache(redis, namespace, {
      heavy: createHeavyQuestionGate(redis, { perOrg: options.analyticsOrgMaxInFlight ?? 2, namespace }),
      ...(options.freshRollups === false ? {} : { fresh: { pool, log, options: options.freshRollups ?? {} } }),
    }),
    publicLimits: createPublicLimits(redis, namespace, { ...GENEROUS_LIMITS, ...options.publicLimits }),
    outbound: {
      targets: options.targets ?? STRICT_TARGETS,
      limits: createOutboundLimits(redis, namespace, { ...GENEROUS_OUTBOUND_LIMITS, ...options.outboundLimits }),
    },
    async close() {
      await alertQueue.close();
      await privacyQueue.close();
      await pool.end();
      await prisma.$disconnect();
      redis.disconnect();
    },
  };
}
