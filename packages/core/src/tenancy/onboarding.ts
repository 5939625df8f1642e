import type { PrismaClient } from '@sightline/db';
import { buildDsn } from './apps.ts';
import { getApp } from './app-settings.ts';
import type { OrgActor } from './members.ts';

// What the portal's setup page of an app needs: the app's current `pk_` key (public by
// design, so shown again, unlike `sk_` keys) and whether anything has arrived yet.

export interface AppIngestKey {
  appId: number;
  /** The key, or null when it was created before keys were kept (it can only be replaced). */
  key: string | null;
  /** The key's first characters, to recognise it in the SDK config when the key itself is gone. */
  prefix: string | null;
  createdAt: Date | null;
  /** The Sentry DSN with this key; null with the key. */
  dsn: string | null;
  /** Where SDKs send telemetry (the api's public URL). */
  endpoint: string;
}

const withoutTrailingSlash = (url: string): string => {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
};

/** The app's newest working ingest key; another org's app id is NOT_FOUND. */
export async function getIngestKeyAs(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
  publicApiUrl: string,
): Promise<AppIngestKey> {
  const app = await getApp(prisma, actor, appId);
  const now = new Date();
  const key = await prisma.ingestKey.findFirst({
    where: {
      orgId: actor.orgId,
      appId: app.id,
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    // The one without an end date is the current key; keys on their way out (rotation grace) come after.
    orderBy: [{ expiresAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
    select: { plaintext: true, prefix: true, createdAt: true },
  });
  const plaintext = key?.plaintext ?? null;
  return {
    appId: app.id,
    key: plaintext,
    prefix: key?.prefix ?? null,
    createdAt: key?.createdAt ?? null,
    dsn: plaintext ? buildDsn(publicApiUrl, plaintext, app.id) : null,
    endpoint: withoutTrailingSlash(publicApiUrl),
  };
}

export interface LatestReceived {
  /** `event` (analytics) or `crash` (a crash or error report). */
  kind: 'event' | 'crash';
  /** The event's type (`page_view`, `custom`, …) or the crash's type (`TypeError`, …). */
  type: string;
  /** When the api received it. */
  receivedAt: Date;
}

/** How far back the setup page looks for stored events: a few day partitions, never the whole table. */
const LOOKBACK_DAYS = 3;

/**
 * The newest telemetry stored for an app (event or crash report), or null: the setup page's
 * "waiting for your first event" check. Bounded to the last few days' event partitions, read
 * by the (org, app, occurred_at) key from the newest end.
 */
export async function latestReceivedAs(
  prisma: PrismaClient,
  actor: OrgActor,
  appId: number,
): Promise<LatestReceived | null> {
  const app = await getApp(prisma, actor, appId);
  const since = new Date(Date.now() - LOOKBACK_DAYS * 86_400_000);
  // Clients' clocks run ahead sometimes; a day ahead is still "now" for this check.
  const until = new Date(Date.now() + 86_400_000);
  const [event] = await prisma.$queryRaw<Array<{ type: string; received_at: Date }>>`
    SELECT type, received_at FROM events
    WHERE org_id = ${actor.orgId}::uuid AND app_id = ${app.id}
      AND occurred_at >= ${since} AND occurred_at < ${until}
    ORDER BY occurred_at DESC LIMIT 1`;
  const crash = await prisma.crashReport.findFirst({
    where: { orgId: actor.orgId, appId: app.id, occurredAt: { gte: since, lt: until } },
    orderBy: { occurredAt: 'desc' },
    select: { crashType: true, receivedAt: true },
  });
  const candidates: LatestReceived[] = [];
  if (event) candidates.push({ kind: 'event', type: event.type, receivedAt: event.received_at });
  if (crash) candidates.push({ kind: 'crash', type: crash.crashType, receivedAt: crash.receivedAt });
  candidates.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
  return candidates[0] ?? null;
}
