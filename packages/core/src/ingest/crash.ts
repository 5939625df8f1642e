import { randomUUID } from 'node:crypto';
import type { IngestApp, RequestFacts } from './request.ts';
import { capCrashParts } from './crash-limits.ts';
import { truncateIp } from './enrich.ts';
import type { CrashInput } from './schemas.ts';
import { scrubField, scrubString } from './scrub.ts';

/** A crash report as it travels through the buffer to `crash_reports`. */
export interface CrashRecord {
  id: string;
  orgId: string;
  appId: number;
  source: 'sightline' | 'sentry';
  occurredAt: number;
  receivedAt: number;
  deviceId: string;
  sessionId: string | null;
  userId: string | null;
  appVersion: string | null;
  environment: string | null;
  crashType: string;
  level: string;
  /** false: unhandled, a crash of its session; true: a handled error. */
  handled: boolean;
  message: string | null;
  stackTrace: string | null;
  frames: unknown;
  /** The SDK's own grouping, when it sent one. */
  sdkFingerprint: string[] | null;
  context: unknown;
  breadcrumbs: unknown;
  tags: Record<string, string> | null;
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  deviceModel: string | null;
  country: string | null;
}

/** Sentry's rule: unhandled unless the sender says it caught it; a fatal report never was. */
export function isHandled(crash: Pick<CrashInput['crash'], 'level' | 'handled'>): boolean {
  return crash.level !== 'fatal' && crash.handled === true;
}

/**
 * A validated crash payload → the stored record: context and breadcrumbs cut to their size
 * limits (first: scrubbing costs in proportion to size), PII scrubbed from the message, stack,
 * context and breadcrumbs, the address truncated or left out per the app, a future time
 * clamped to arrival. Crashes are never sampled away.
 */
export function buildCrashRecord(
  input: CrashInput,
  app: IngestApp,
  facts: RequestFacts,
  deviceId: string,
  origin: { id?: string; source?: CrashRecord['source'] } = {},
): CrashRecord {
  const extraKeys = new Set(app.scrubFields.map((f) => f.toLowerCase()));
  const ip = app.ipPolicy === 'truncate' ? truncateIp(facts.ip) : null;
  const { crash } = input;
  const capped = capCrashParts(crash.context, crash.breadcrumbs);
  return {
    id: origin.id ?? randomUUID(),
    orgId: app.orgId,
    appId: app.appId,
    source: origin.source ?? 'sightline',
    occurredAt: Math.min(input.timestamp ?? facts.receivedAt, facts.receivedAt),
    receivedAt: facts.receivedAt,
    deviceId,
    sessionId: input.session_id ?? null,
    userId: input.user_id ?? null,
    appVersion: input.app_version ?? null,
    environment: input.environment ?? null,
    crashType: crash.type,
    level: crash.level,
    handled: isHandled(crash),
    message: crash.message == null ? null : scrubString(crash.message),
    stackTrace: crash.stack_trace == null ? null : scrubString(crash.stack_trace),
    frames: crash.frames ? scrubField(crash.frames, extraKeys, 'crash.frames') : null,
    sdkFingerprint: crash.fingerprint ?? null,
    context: scrubField(ip ? { ...capped.context, ip } : capped.context, extraKeys, 'crash.context'),
    breadcrumbs: capped.breadcrumbs ? scrubField(capped.breadcrumbs, extraKeys, 'crash.breadcrumbs') : null,
    tags: crash.tags ?? null,
    os: input.os ?? facts.traits.os,
    osVersion: input.os_version ?? (input.os ? null : facts.traits.osVersion),
    browser: facts.traits.browser,
    deviceModel: input.device_model ?? facts.traits.deviceType,
    country: facts.traits.country,
  };
}
