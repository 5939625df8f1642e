import { AppError, type ErrorIssue } from '../../errors.ts';
import type { AppendOutcome } from '../buffer.ts';
import type { BufferedEvent } from '../codec/events.ts';
import { deviceIdOfBuffered } from '../codec/events.ts';
import type { IngestTarget } from '../directory.ts';
import type { RequestFacts } from '../request.ts';
import {
  keyFromEnvelopeDsn,
  missingSentryKey,
  parseEnvelope,
  storeBodyAsEnvelope,
  type Envelope,
} from '../sentry/envelope.ts';
import { groupDerived, readItems, type SentryDeviceIdOf } from '../sentry/items.ts';
import type { SentryDerivedEvent } from '../sentry/fields.ts';
import { resolveApp } from '../steps/app.ts';
import { buffered, refuse } from '../steps/append.ts';
import { requireIngestKey } from '../steps/credential.ts';
import { requestFacts } from '../steps/enrich.ts';
import { sentryDeviceId } from '../steps/hash.ts';
import { rateLimitsFor } from '../steps/limits.ts';
import { checkOrigin, originOf } from '../steps/origin.ts';
import type { IngestDeps, IngestRequest } from './context.ts';
import { droppedTotal, normalizeEvents } from './events.ts';

// POST /api/<app id>/envelope/ and /store/ (official Sentry SDKs), start to end:
//   project id → envelope bytes → credential (the DSN key, pk_ only) → app → origin →
//   items (events → crash reports; sessions, transactions → events through the event
//   steps, one batch per device) → limits → one append for both kinds (or refuse).

export interface SentryRequest extends IngestRequest {
  kind: 'envelope' | 'store';
  /** The URL's project id, as sent (the app's numeric id). */
  projectId: string;
  /** The DSN key from the `sentry_key` query parameter or the `X-Sentry-Auth` header. */
  keyOutsideBody: string | undefined;
  /** The transport's own bound on what the parsed items may cost (the api's JSON value budget). */
  limitItems?: (envelope: Envelope) => void;
  /** Called with the X-Sentry-Rate-Limits value, before a refusal is thrown, so it reaches the SDK either way. */
  onRateLimits: (value: string) => void;
}

/** What the Sentry routes answer with their 200. */
export interface SentryReply {
  id: string | null;
  errors?: ErrorIssue[];
}

/** Sentry's data categories of what becomes events here (sessions, transactions) and crash reports (errors). */
const EVENT_QUOTA_LIMIT = '3600:session;transaction:organization:usage_exceeded';
const CRASH_QUOTA_LIMIT = '3600:default;error;security:organization:usage_exceeded';

/**
 * The X-Sentry-Rate-Limits value an SDK uses to hold back (all categories, or the ones named,
 * in Sentry's `retry_after:categories:scope:reason_code` form): a quota names only its own
 * categories, so an SDK over the event quota keeps sending errors and the other way round.
 */
export function sentryRateLimits(outcome: AppendOutcome): string | undefined {
  if (outcome.status === 'rate_limited') return `${outcome.retryAfter}::key`;
  const events =
    outcome.status === 'over_quota' ? outcome.events : outcome.status === 'stored' && !!outcome.eventsRefused;
  const crashes =
    outcome.status === 'over_quota' ? outcome.crashes : outcome.status === 'stored' && !!outcome.crashesRefused;
  const limits = [...(events ? [EVENT_QUOTA_LIMIT] : []), ...(crashes ? [CRASH_QUOTA_LIMIT] : [])];
  return limits.length > 0 ? limits.join(', ') : undefined;
}

/** Derived events through the same event steps as `/v1/telemetry/events`, one batch per device, user and release. */
function normalizeDerived(
  derived: SentryDerivedEvent[],
  app: IngestTarget,
  facts: RequestFacts,
  deviceIdOf: SentryDeviceIdOf,
) {
  const events: BufferedEvent[] = [];
  let dropped = 0;
  const issues: ErrorIssue[] = [];
  for (const group of groupDerived(derived)) {
    const batch = {
      device_id: deviceIdOf(group.deviceKey),
      user_id: group.userId ?? null,
      app_version: group.release ?? null,
      environment: group.environment ?? null,
      events: group.events,
    };
    const normalized = normalizeEvents(batch, app, facts);
    events.push(...normalized.events);
    dropped += droppedTotal(normalized.dropped);
    issues.push(...normalized.errors.flatMap((e) => e.issues));
  }
  return { events, dropped, issues };
}

/** The envelope a request carries: a 404 for a project id that cannot be an app, a 400 for no body. */
function envelopeOf(request: SentryRequest): Envelope {
  if (!/^\d{1,9}$/.test(request.projectId)) {
    throw new AppError(
      'NOT_FOUND',
      `project ${request.projectId} not found: the project id in a Sightline DSN is the app's numeric id`,
    );
  }
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new AppError('BAD_REQUEST', 'empty body: send a Sentry envelope');
  return request.kind === 'envelope' ? parseEnvelope(body) : storeBodyAsEnvelope(body);
}

/** The Sentry pipeline: one envelope (or /store/ event) from credential to buffer; throws AppError on a refusal. */
export async function runSentryPipeline(deps: IngestDeps, request: SentryRequest): Promise<SentryReply> {
  const envelope = envelopeOf(request);
  const key = request.keyOutsideBody ?? keyFromEnvelopeDsn(envelope.headers.dsn, request.projectId);
  if (!key) throw missingSentryKey();
  const principal = await requireIngestKey(request.credential, key);
  if (request.kind === 'envelope') request.limitItems?.(envelope);
  const app = await resolveApp(deps.directory, principal, Number(request.projectId));
  checkOrigin(originOf(request.headers), app);

  const facts = requestFacts(request.headers, request.ip, Date.now());
  const deviceIdOf: SentryDeviceIdOf = (userKey) => sentryDeviceId(app, request.ip, userKey);
  const contents = readItems(envelope, app, facts, deviceIdOf, deps.metrics);
  const derived = normalizeDerived(contents.derived, app, facts, deviceIdOf);
  const issues = [...contents.errors.flatMap((e) => e.issues), ...derived.issues];
  const { metrics } = deps;

  if (contents.crashes.length > 0 || derived.events.length > 0) {
    const deviceId =
      contents.crashes[0]?.deviceId ??
      (derived.events[0] && deviceIdOfBuffered(derived.events[0])) ??
      deviceIdOf(undefined);
    const outcome = await buffered(() =>
      deps.buffer.appendMixed(
        {
          orgId: app.orgId,
          crashes: contents.crashes,
          batch:
            derived.events.length > 0 ? { o: app.orgId, a: app.appId, r: facts.receivedAt, e: derived.events } : null,
        },
        {
          quota: app.monthlyEventQuota,
          crashQuota: app.monthlyCrashQuota,
          limits: rateLimitsFor(deps.limits, principal, app, deviceId, request.ip),
          dropped: derived.dropped,
        },
      ),
    );
    const rateLimits = sentryRateLimits(outcome);
    if (rateLimits) request.onRateLimits(rateLimits);
    if (outcome.status !== 'stored') {
      metrics.dropped.inc({ reason: outcome.status }, derived.events.length + contents.crashes.length);
      refuse(outcome, app);
    }
    if (outcome.crashesRefused) metrics.dropped.inc({ reason: 'over_crash_quota' }, contents.crashes.length);
    else if (contents.crashes.length > 0) metrics.accepted.inc({ kind: 'crash' }, contents.crashes.length);
    if (outcome.eventsRefused) metrics.dropped.inc({ reason: 'over_quota' }, derived.events.length);
    else if (derived.events.length > 0) metrics.accepted.inc({ kind: 'event' }, derived.events.length);
  } else if (issues.length > 0) {
    throw new AppError(
      'BAD_REQUEST',
      `nothing usable in the envelope: ${issues
        .slice(0, 5)
        .map((i) => `${i.path} ${i.message}`)
        .join('; ')}`,
      issues,
    );
  }
  return {
    id: envelope.headers.event_id ?? contents.eventIds[0] ?? null,
    ...(issues.length > 0 ? { errors: issues } : {}),
  };
}
