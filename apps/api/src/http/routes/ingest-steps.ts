import { AppError, type AppendOutcome, type IngestTarget, type Principal, type RateLimit } from '@sightline/core';
import type { FastifyRequest } from 'fastify';
import type { ServerDeps } from '../server.ts';

// Steps every ingestion route shares: the origin check, the limits a request counts
// against, and how a refusal from the buffer becomes an HTTP answer.

/** A browser may send only from the app's allowed origins (none listed: any origin). */
export function checkOrigin(request: FastifyRequest, app: IngestTarget): void {
  const origin = request.headers.origin;
  if (!origin || app.allowedOrigins.length === 0 || app.allowedOrigins.includes(origin)) return;
  throw new AppError(
    'FORBIDDEN',
    `origin ${origin} may not send telemetry to this app; add it to the app's allowed origins`,
  );
}

/** The same check for the device and privacy routes, whose key or device token names the app. */
export async function checkDeviceOrigin(
  deps: ServerDeps,
  request: FastifyRequest,
  principal: Principal,
): Promise<void> {
  // No Origin: not a browser, nothing to check (and no settings lookup on that path).
  if (!request.headers.origin || principal.appId === undefined) return;
  checkOrigin(request, await deps.ingest.directory.resolve(principal, undefined));
}

export function limitsFor(
  deps: ServerDeps,
  principal: Principal,
  app: IngestTarget,
  deviceId: string,
  ip: string,
): RateLimit[] {
  return [
    { subject: `key:${principal.credentialId}`, limit: deps.ingest.limits.perKey },
    { subject: `device:${app.appId}:${deviceId}`, limit: deps.ingest.limits.perDevice },
    { subject: `ip:${ip}`, limit: deps.ingest.limits.perIp },
  ];
}

/** A refusal from the buffer as the HTTP answer the contract names. */
export function refuse(outcome: Exclude<AppendOutcome, { status: 'stored' }>, app: IngestTarget): never {
  if (outcome.status === 'rate_limited') {
    const scope = outcome.subject.split(':')[0];
    throw new AppError(
      'RATE_LIMITED',
      `rate limit reached for this ${scope === 'key' ? 'key' : scope === 'device' ? 'device' : 'address'}; retry after ${outcome.retryAfter} s`,
      [],
      outcome.retryAfter,
    );
  }
  if (outcome.status === 'over_quota') {
    // Each kind has its own quota: the message names the one that ran out (and that the other still flows).
    const used = [
      ...(outcome.events ? [`${app.monthlyEventQuota} events`] : []),
      ...(outcome.crashes ? [`${app.monthlyCrashQuota} crash reports`] : []),
    ];
    const still =
      outcome.events && outcome.crashes
        ? ''
        : outcome.events
          ? '; crash reports are still accepted'
          : '; events are still accepted';
    throw new AppError(
      'RATE_LIMITED',
      `this organization's monthly quota of ${used.join(' and of ')} is used up${still}`,
      [],
      3600,
    );
  }
  // The backlog (in entries or bytes) is full: PostgreSQL is far behind; Redis must keep room.
  throw new AppError('UNAVAILABLE', 'ingestion is behind: the buffer is at its size limit; retry shortly', [], 5);
}

/** Redis not answering is a 503 with Retry-After: nothing is acknowledged that was not stored. */
export async function buffered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('UNAVAILABLE', 'the ingestion buffer is unavailable; retry shortly', [], 5);
  }
}
