import { randomUUID } from 'node:crypto';
import {
  asksNotToBeTracked,
  AppError,
  buildCrashRecord,
  clientTraits,
  crashIdFor,
  crashInput,
  itemJson,
  normalizeEvents,
  parseEnvelope,
  sentryAddressDeviceId,
  sentryClientReportDiscards,
  sentryEventToCrash,
  sentrySessionAggregatesToEvents,
  sentrySessionToEvents,
  sentryTransactionToEvents,
  sentryUserDeviceId,
  sentryUserKey,
  type AppendOutcome,
  deviceIdOfBuffered,
  type BufferedEvent,
  type CrashRecord,
  type Envelope,
  type ErrorIssue,
  type IngestTarget,
  type RequestFacts,
  type SentryDerivedEvent,
} from '@sightline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_JSON_VALUES, tooManyValues } from '../body-budget.ts';
import { countJsonValues } from '../json-scan.ts';
import type { ServerDeps } from '../server.ts';
import { buffered, checkOrigin, limitsFor, refuse } from './ingest-steps.ts';
import {
  installSentryAuthentication,
  keyFromEnvelopeDsn,
  missingSentryKey,
  requireIngestKey,
  sentryKeyOutsideBody,
} from './sentry-auth.ts';

// The Sentry protocol for official Sentry SDKs: `POST /api/<app id>/envelope/` and the
// older `/store/`. The DSN's public key is the app's `pk_` key; the project id its id.

/** Envelopes may carry attachments (their bytes are not kept, only their names and sizes). */
const ENVELOPE_BODY_LIMIT = 5 * 1024 * 1024;
/** A `/store/` body is one event, parsed whole. */
const STORE_BODY_LIMIT = 1024 * 1024;

/** The DSN key from the `sentry_key` query parameter, the `X-Sentry-Auth` header, or the envelope's `dsn`. */
function sentryKeyOf(request: FastifyRequest, envelope: Envelope, projectId: string): string | undefined {
  return sentryKeyOutsideBody(request) ?? keyFromEnvelopeDsn(envelope.headers.dsn, projectId);
}

/**
 * Items read with JSON.parse. Their values are counted together against the same cap as one
 * JSON body: the crash reports built from them stay in memory until the append, so 100 items
 * just under the cap each would hold ~60 MB where one body may hold ~5 MB.
 */
const JSON_ITEM_TYPES = new Set(['event', 'transaction', 'session', 'sessions', 'client_report']);

function checkItemSizes(envelope: Envelope): void {
  let values = 0;
  for (const item of envelope.items) {
    if (JSON_ITEM_TYPES.has(item.type)) values += countJsonValues(item.payload);
    if (values > MAX_JSON_VALUES) throw tooManyValues();
  }
}

/** A `/store/` body is one event (or transaction) as JSON: the same as a one-item envelope. */
function storeBodyAsEnvelope(body: Buffer): Envelope {
  const item = { type: 'event', headers: {}, payload: body };
  const event = itemJson(item);
  return {
    headers: { event_id: typeof event.event_id === 'string' ? event.event_id : undefined },
    items: [{ ...item, type: event.type === 'transaction' ? 'transaction' : 'event' }],
  };
}

/** Sentry's data categories of what becomes events here (sessions, transactions) and crash reports (errors). */
const EVENT_QUOTA_LIMIT = '3600:session;transaction:organization:usage_exceeded';
const CRASH_QUOTA_LIMIT = '3600:default;error;security:organization:usage_exceeded';

/**
 * The X-Sentry-Rate-Limits value an SDK uses to hold back (all categories, or the ones named,
 * in Sentry's `retry_after:categories:scope:reason_code` form): a quota names only its own
 * categories, so an SDK over the event quota keeps sending errors and the other way round.
 */
function sentryRateLimits(outcome: AppendOutcome): string | undefined {
  if (outcome.status === 'rate_limited') return `${outcome.retryAfter}::key`;
  const events =
    outcome.status === 'over_quota' ? outcome.events : outcome.status === 'stored' && !!outcome.eventsRefused;
  const crashes =
    outcome.status === 'over_quota' ? outcome.crashes : outcome.status === 'stored' && !!outcome.crashesRefused;
  const limits = [...(events ? [EVENT_QUOTA_LIMIT] : []), ...(crashes ? [CRASH_QUOTA_LIMIT] : [])];
  return limits.length > 0 ? limits.join(', ') : undefined;
}

interface EnvelopeContents {
  crashes: CrashRecord[];
  derived: SentryDerivedEvent[];
  errors: Array<{ index: number; issues: ErrorIssue[] }>;
  /** Sentry's ids of the events read, in order. */
  eventIds: string[];
}

/** Each item by its type: events → crash reports; sessions and transactions → events; the rest counted or skipped. */
function readItems(
  deps: ServerDeps,
  envelope: Envelope,
  target: IngestTarget,
  facts: RequestFacts,
  deviceIdOf: (key: string | undefined) => string,
): EnvelopeContents {
  const { metrics } = deps.ingest;
  const out: EnvelopeContents = { crashes: [], derived: [], errors: [], eventIds: [] };
  const attachments = envelope.items
    .filter((item) => item.type === 'attachment')
    .map((item) => ({
      filename: typeof item.headers.filename === 'string' ? item.headers.filename.slice(0, 200) : 'attachment',
      size: item.payload.length,
      ...(typeof item.headers.content_type === 'string'
        ? { content_type: item.headers.content_type.slice(0, 100) }
        : {}),
    }));
  envelope.items.forEach((item, index) => {
    const origin = { appId: target.appId, index, sentAt: envelope.headers.sent_at };
    try {
      switch (item.type) {
        case 'event': {
          const event = itemJson(item);
          const userKey = sentryUserKey(event.user);
          const parsed = crashInput.safeParse(
            sentryEventToCrash(event, { deviceKey: userKey ?? 'anonymous' }, attachments),
          );
          if (!parsed.success) {
            out.errors.push({
              index,
              issues: parsed.error.issues.map((i) => ({
                path: [`items.${index}`, ...i.path].join('.'),
                message: i.message,
              })),
            });
            break;
          }
          const eventId =
            typeof event.event_id === 'string' ? event.event_id : (envelope.headers.event_id ?? randomUUID());
          out.eventIds.push(eventId);
          out.crashes.push(
            buildCrashRecord(parsed.data, target, facts, deviceIdOf(userKey), {
              id: crashIdFor(target.appId, eventId),
              source: 'sentry',
            }),
          );
          break;
        }
        case 'transaction':
          out.derived.push(...sentryTransactionToEvents(itemJson(item), origin));
          break;
        case 'session':
          out.derived.push(...sentrySessionToEvents(itemJson(item), origin));
          break;
        case 'sessions':
          out.derived.push(...sentrySessionAggregatesToEvents(itemJson(item), origin));
          break;
        case 'client_report':
          for (const d of sentryClientReportDiscards(itemJson(item))) {
            metrics.sentryClientDiscards.inc({ reason: d.reason, category: d.category }, d.quantity);
          }
          break;
        case 'attachment':
          break;
        default:
          metrics.sentryItems.inc({ type: 'other', outcome: 'skipped' });
          return;
      }
      metrics.sentryItems.inc({ type: item.type, outcome: 'read' });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      metrics.sentryItems.inc({ type: item.type, outcome: 'invalid' });
      out.errors.push({ index, issues: [{ path: `items.${index}`, message: error.message }] });
    }
  });
  return out;
}

/** Derived events through the same event steps as `/v1/telemetry/events`, one batch per device, user and release. */
function normalizeDerived(
  derived: SentryDerivedEvent[],
  target: IngestTarget,
  facts: RequestFacts,
  deviceIdOf: (key: string | undefined) => string,
) {
  const groups = new Map<
    string,
    { deviceKey: string | undefined; userId?: string; release?: string; environment?: string; events: unknown[] }
  >();
  for (const d of derived) {
    const key = JSON.stringify([d.deviceKey, d.userId, d.release, d.environment]);
    const group = groups.get(key) ?? {
      deviceKey: d.deviceKey,
      userId: d.userId,
      release: d.release,
      environment: d.environment,
      events: [],
    };
    group.events.push(d.event);
    groups.set(key, group);
  }
  const events: BufferedEvent[] = [];
  let dropped = 0;
  const issues: ErrorIssue[] = [];
  for (const group of groups.values()) {
    const batch = {
      device_id: deviceIdOf(group.deviceKey),
      user_id: group.userId ?? null,
      app_version: group.release ?? null,
      environment: group.environment ?? null,
      events: group.events,
    };
    const normalized = normalizeEvents(batch, target, facts);
    events.push(...normalized.events);
    dropped += Object.values(normalized.dropped).reduce((a, b) => a + b, 0);
    issues.push(...normalized.errors.flatMap((e) => e.issues));
  }
  return { events, dropped, issues };
}

async function receive(deps: ServerDeps, kind: 'envelope' | 'store', request: FastifyRequest, reply: FastifyReply) {
  const { projectId } = request.params as { projectId: string };
  if (!/^\d{1,9}$/.test(projectId)) {
    throw new AppError(
      'NOT_FOUND',
      `project ${projectId} not found: the project id in a Sightline DSN is the app's numeric id`,
    );
  }
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new AppError('BAD_REQUEST', 'empty body: send a Sentry envelope');
  const envelope = kind === 'envelope' ? parseEnvelope(body) : storeBodyAsEnvelope(body);

  // Already checked before the body was read (sentry-auth.ts): this answers from that lookup.
  const key = sentryKeyOf(request, envelope, projectId);
  if (!key) throw missingSentryKey();
  const principal = await requireIngestKey(deps, request, key);
  if (kind === 'envelope') checkItemSizes(envelope);
  const target = await deps.ingest.directory.resolve(principal, Number(projectId));
  checkOrigin(request, target);

  const facts = {
    receivedAt: Date.now(),
    ip: request.ip,
    traits: clientTraits(request.headers['user-agent'], request.ip),
    doNotTrack: asksNotToBeTracked(request.headers),
  };
  // No user named: the address stands in. Both are guessable, so they are hashed in their
  // own namespace, which no device id a pk_ holder registers can reach (derived-identity.ts).
  const deviceIdOf = (userKey: string | undefined) =>
    userKey === undefined
      ? sentryAddressDeviceId(target.deviceIdSalt, request.ip)
      : sentryUserDeviceId(target.deviceIdSalt, userKey);
  const contents = readItems(deps, envelope, target, facts, deviceIdOf);
  const derived = normalizeDerived(contents.derived, target, facts, deviceIdOf);
  const issues = [...contents.errors.flatMap((e) => e.issues), ...derived.issues];
  const { metrics } = deps.ingest;

  if (contents.crashes.length > 0 || derived.events.length > 0) {
    const deviceId =
      contents.crashes[0]?.deviceId ??
      (derived.events[0] && deviceIdOfBuffered(derived.events[0])) ??
      deviceIdOf(undefined);
    const outcome = await buffered(() =>
      deps.ingest.buffer.appendMixed(
        {
          orgId: target.orgId,
          crashes: contents.crashes,
          batch:
            derived.events.length > 0
              ? { o: target.orgId, a: target.appId, r: facts.receivedAt, e: derived.events }
              : null,
        },
        {
          quota: target.monthlyEventQuota,
          crashQuota: target.monthlyCrashQuota,
          limits: limitsFor(deps, principal, target, deviceId, request.ip),
          dropped: derived.dropped,
        },
      ),
    );
    const rateLimits = sentryRateLimits(outcome);
    if (rateLimits) void reply.header('X-Sentry-Rate-Limits', rateLimits);
    if (outcome.status !== 'stored') {
      metrics.dropped.inc({ reason: outcome.status }, derived.events.length + contents.crashes.length);
      refuse(outcome, target);
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
  return reply.status(200).send({
    id: envelope.headers.event_id ?? contents.eventIds[0] ?? null,
    ...(issues.length > 0 ? { errors: issues } : {}),
  });
}

export function registerSentryRoutes(app: FastifyInstance, deps: ServerDeps): void {
  void app.register((scope, _options, done) => {
    // Sentry SDKs send envelopes as application/x-sentry-envelope, or text/plain from
    // browsers (no preflight), and some send none: every body is read as bytes here.
    scope.removeAllContentTypeParsers();
    installSentryAuthentication(scope, deps);
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ENVELOPE_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    for (const url of ['/api/:projectId/envelope/', '/api/:projectId/envelope']) {
      scope.post(url, { bodyLimit: ENVELOPE_BODY_LIMIT }, (request, reply) =>
        receive(deps, 'envelope', request, reply),
      );
    }
    for (const url of ['/api/:projectId/store/', '/api/:projectId/store']) {
      scope.post(url, { bodyLimit: STORE_BODY_LIMIT }, (request, reply) => receive(deps, 'store', request, reply));
    }
    done();
  });
}
