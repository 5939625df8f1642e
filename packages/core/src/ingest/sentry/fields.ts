import { createHash } from 'node:crypto';

// What every Sentry item reader shares: bounded readers for loosely shaped fields (SDKs
// vary, but every field kept is bounded), Sentry's timestamps, and the ids derived from
// Sentry's own so that a retried envelope is stored once.

/** A UUID-shaped digest of `name`: the same name always gives the same id. */
function uuidFromName(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Sentry's event ids are 32 hex digits; the crash report id is a UUID derived from the app and that id (a retry lands once). */
export function crashIdFor(appId: number, eventId: string): string {
  return uuidFromName(`${appId}:${eventId}`);
}

/** Where a Sentry item came from: what a derived event's id is made of, besides the item's own content. */
export interface SentryItemOrigin {
  appId: number;
  /** The item's place in its envelope. */
  index: number;
  /** The envelope header's `sent_at`: an SDK resends the envelope it built, header and all. */
  sentAt?: unknown;
}

/**
 * The id of an event derived from a Sentry item: a UUID hashed from the app, the kind of
 * event and what identifies it in Sentry's protocol, so a retried envelope is stored once
 * (the event writer is idempotent on app and event id), as a retried crash is (crashIdFor).
 */
export function sentryDerivedEventId(appId: number, kind: string, ...identity: unknown[]): string {
  // JSON keeps the parts apart ("a:b","c" and "a","b:c" differ); `sentry:` keeps these ids off crash ids.
  return uuidFromName(`sentry:${JSON.stringify([appId, kind, ...identity])}`);
}

/** Sentry timestamps: seconds since the epoch (float) or RFC 3339 text → ms. */
export function sentryTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

export const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0
    ? value.slice(0, max)
    : typeof value === 'number'
      ? String(value)
      : undefined;
export const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
export const object = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
export const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : ((object(value)?.values as unknown[]) ?? []);

/** Who the user is, as Sentry SDKs name it for sessions (`did`): id, then email, then username. */
export function sentryUserKey(user: unknown): string | undefined {
  const u = object(user);
  return text(u?.id, 200) ?? text(u?.email, 200) ?? text(u?.username, 200);
}

/** Raw Sightline events (validated afterwards) with the device they belong to. */
export interface SentryDerivedEvent {
  deviceKey: string | undefined;
  /** The Sentry user's id, as the app's user id (crash reports carry it too): the organization finds the user's data by it. */
  userId?: string;
  release?: string;
  environment?: string;
  event: Record<string, unknown>;
}
