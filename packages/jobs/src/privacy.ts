import type { PrivacyAdmission, PrivacyJobKind } from '@sightline/core';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { PRIVACY_JOBS, type PrivacyRequestPayload } from './payloads.ts';
import { QUEUES } from './queues.ts';

/** Privacy jobs of one organization queued or running at once, unless configured otherwise. */
export const DEFAULT_PRIVACY_ORG_MAX_IN_FLIGHT = 2;

/** The env shape both the api and the worker read (spread into each app's env). */
export const privacyQueueEnv = {
  /** Privacy jobs (exports, deletions) one organization may have queued or running at once. */
  PRIVACY_ORG_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(DEFAULT_PRIVACY_ORG_MAX_IN_FLIGHT),
};

// Fairness across organizations. BullMQ's queue is first-in first-out (groups are a paid
// feature), and a deletion scans every day partition of `events`: 100 requests from one
// organization would hold every other organization's behind them for hours. So each
// organization has at most `maxInFlightPerOrg` jobs queued or running; its other requests
// wait in PostgreSQL as PENDING and are admitted, oldest first, as its earlier ones finish
// (the worker does that, and the sweep in core/privacy/sweep.ts catches anything missed).
// Another organization's request thus waits behind at most that many jobs of each busy
// organization.
//
// Who is admitted lives in two Redis hashes, changed only by these scripts: request id →
// org id, and org id → how many. Admitting an id already admitted answers yes again, so a
// re-queue (the sweep, a retry of the api) never takes a second place.

const ADMIT = `
-- KEYS: admitted (request → org), counts (org → n); ARGV: request id, org id, cap
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
local n = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if n >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 1
`;

const RELEASE = `
-- KEYS: admitted, counts; ARGV: request id. Returns the org id whose place was freed, or false.
local org = redis.call('HGET', KEYS[1], ARGV[1])
if not org then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('HINCRBY', KEYS[2], org, -1) <= 0 then redis.call('HDEL', KEYS[2], org) end
return org
`;

/** A client for the admission scripts: the caller's own ioredis client, or one of ours. */
function fairnessClient(connection: ConnectionOptions): { client: Redis; owned: boolean } {
  const given = connection as Partial<Redis>;
  if (typeof given.eval === 'function' && typeof given.hgetall === 'function') {
    return { client: connection as Redis, owned: false };
  }
  const { url, ...options } = connection as RedisOptions & { url?: string };
  const client = url
    ? new Redis(url, { ...options, maxRetriesPerRequest: 1 })
    : new Redis({ ...options, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return { client, owned: true };
}

/** Producer side of the privacy queue: the api queues GDPR requests, the worker carries them out. */
export function createPrivacyQueue(options: {
  connection: ConnectionOptions;
  prefix?: string;
  maxInFlightPerOrg?: number;
}) {
  const prefix = options.prefix ?? 'bull';
  const cap = options.maxInFlightPerOrg ?? DEFAULT_PRIVACY_ORG_MAX_IN_FLIGHT;
  const queue = new Queue<PrivacyRequestPayload>(QUEUES.privacy, { connection: options.connection, prefix });
  queue.on('error', () => undefined);
  const keys = [`${prefix}:${QUEUES.privacy}:fair:admitted`, `${prefix}:${QUEUES.privacy}:fair:counts`];
  let fairness: { client: Redis; owned: boolean } | null = null;
  const redis = (): Redis => (fairness ??= fairnessClient(options.connection)).client;

  const add = async (kind: PrivacyJobKind, requestId: string): Promise<void> => {
    const opts = { attempts: kind === 'DELETE' ? 10 : 5, backoff: { type: 'exponential', delay: 5_000 } };
    await queue.add(
      kind === 'DELETE' ? PRIVACY_JOBS.delete : PRIVACY_JOBS.export,
      { requestId },
      // The request id is the job id: asking twice queues one job.
      {
        ...opts,
        jobId: kind === 'DELETE' ? requestId : `export-${requestId}`,
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    );
  };

  /**
   * Queues the request's job if its organization has room; otherwise it stays PENDING in
   * PostgreSQL until an earlier one finishes. Answers whether the job is queued.
   */
  const enqueue = async (kind: PrivacyJobKind, requestId: string, orgId: string): Promise<boolean> => {
    const admitted = (await redis().eval(ADMIT, 2, ...keys, requestId, orgId, cap)) === 1;
    if (!admitted) return false;
    try {
      await add(kind, requestId);
    } catch (error) {
      // Without its job the place would be held for nothing until the sweep's reconciliation.
      await release(requestId).catch(() => undefined);
      throw error;
    }
    return true;
  };

  /** The request's job is over (done, or out of attempts): its organization's place is free. */
  const release = async (requestId: string): Promise<string | null> => {
    const org = (await redis().eval(RELEASE, 2, ...keys, requestId)) as string | null;
    return org ?? null;
  };

  const admission: PrivacyAdmission = {
    maxInFlightPerOrg: cap,
    enqueue,
    release,
    /** Every admitted request id with its organization (for the sweep's reconciliation). */
    admitted: async (): Promise<Map<string, string>> =>
      new Map(Object.entries(await redis().hgetall(keys[0] as string))),
  };
  return {
    ...admission,
    enqueueDeletion: (requestId: string, orgId: string) => enqueue('DELETE', requestId, orgId),
    enqueueExport: (requestId: string, orgId: string) => enqueue('EXPORT', requestId, orgId),
    async close(): Promise<void> {
      await queue.close();
      if (fairness?.owned) await fairness.client.quit().catch(() => undefined);
    },
  };
}

export type PrivacyQueue = ReturnType<typeof createPrivacyQueue>;
