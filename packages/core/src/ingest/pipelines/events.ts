import { randomUUID } from 'node:crypto';
import { AppError, type ErrorIssue } from '../../errors.ts';
import { toBufferedEvent, type BufferedEvent } from '../codec/events.ts';
import type { IngestApp, RequestFacts } from '../request.ts';
import type { EventBatchInput } from '../schemas.ts';
import { buffered, refuse } from '../steps/append.ts';
import { clampClock } from '../steps/clamp.ts';
import { honoursDoNotTrack } from '../steps/do-not-track.ts';
import { keptAddress, requestFacts, withAddress } from '../steps/enrich.ts';
import { storedDeviceId } from '../steps/hash.ts';
import { rateLimitsFor } from '../steps/limits.ts';
import { nameAndValue } from '../steps/name-and-value.ts';
import type { DropReason } from '../steps/result.ts';
import { sample } from '../steps/sample.ts';
import { scrubData, scrubKeysOf } from '../steps/scrub.ts';
import { parseBatch, validateEvent } from '../steps/validate.ts';
import { admitSender, type IngestDeps, type IngestRequest } from './context.ts';

// POST /v1/telemetry/events, start to end:
//   request: credential → app → origin → validate (batch) → hash (device)
//   each event: validate → clamp → sample → enrich (address) → scrub → name and value
//   request: limits → append (or refuse)
// Do-not-track drops a batch whole before its events are looked at.

export interface NormalizedBatch {
  events: BufferedEvent[];
  /** Events left out, by reason. */
  dropped: Partial<Record<DropReason, number>>;
  /** Why each invalid or oversized event was left out. */
  errors: Array<{ index: number; issues: ErrorIssue[] }>;
}

/** The per-event steps in order, for one request's batch (its device id already hashed). */
export function normalizeEvents(
  batch: EventBatchInput,
  app: IngestApp,
  facts: RequestFacts,
  random: () => number = Math.random,
): NormalizedBatch {
  const out: NormalizedBatch = { events: [], dropped: {}, errors: [] };
  // Usage analytics only: crash reports have their own endpoints and are not tracking.
  if (honoursDoNotTrack(app, facts)) {
    if (batch.events.length > 0) out.dropped.do_not_track = batch.events.length;
    return out;
  }
  // Read once per request, not per event.
  const extraKeys = scrubKeysOf(app);
  const ip = keptAddress(app, facts);
  const count = (reason: DropReason) => (out.dropped[reason] = (out.dropped[reason] ?? 0) + 1);
  const os = batch.os ?? facts.traits.os;
  const osVersion = batch.os_version ?? (batch.os ? null : facts.traits.osVersion);

  for (let index = 0; index < batch.events.length; index++) {
    const valid = validateEvent(batch.events[index], index);
    if (!valid.ok) {
      count(valid.reason);
      out.errors.push({ index, issues: valid.issues ?? [] });
      continue;
    }
    const event = valid.value;
    const clock = clampClock(event.timestamp, facts, app);
    if (!clock.ok) {
      count(clock.reason);
      continue;
    }
    const sampled = sample(event.type, app, random);
    if (!sampled.ok) {
      count(sampled.reason);
      continue;
    }
    const json = scrubData(withAddress(event.data, ip), extraKeys, index);
    if (!json.ok) {
      count(json.reason);
      out.errors.push({ index, issues: json.issues ?? [] });
      continue;
    }
    const { name, value } = nameAndValue(event);
    out.events.push(
      toBufferedEvent({
        id: event.id ?? randomUUID(),
        occurredAt: clock.value,
        type: event.type,
        name,
        deviceId: batch.device_id,
        sessionId: event.session_id ?? batch.session_id ?? null,
        userId: batch.user_id ?? null,
        appVersion: batch.app_version ?? null,
        environment: batch.environment ?? null,
        os,
        osVersion,
        browser: facts.traits.browser,
        deviceModel: batch.device_model ?? facts.traits.deviceType,
        country: facts.traits.country,
        value,
        data: json.value,
      }),
    );
  }
  return out;
}

/** How many events the steps left out, all reasons together. */
export function droppedTotal(dropped: Partial<Record<DropReason, number>>): number {
  let total = 0;
  for (const n of Object.values(dropped)) total += n;
  return total;
}

/** What `POST /v1/telemetry/events` answers with its 202. */
export interface EventsReply {
  received: number;
  dropped?: Partial<Record<DropReason, number>>;
  errors?: Array<{ index: number; issues: ErrorIssue[] }>;
}

/** A batch of which every event was invalid or too large: 400, naming the first few issues. */
function noValidEvents(errors: NormalizedBatch['errors']): AppError {
  const issues = errors.flatMap((e) => e.issues);
  return new AppError(
    'BAD_REQUEST',
    `no valid events: ${issues
      .slice(0, 5)
      .map((i) => `${i.path} ${i.message}`)
      .join('; ')}`,
    issues,
  );
}

/** The events pipeline: one request's batch from credential to buffer; throws AppError on a refusal. */
export async function runEventsPipeline(deps: IngestDeps, request: IngestRequest): Promise<EventsReply> {
  const { metrics } = deps;
  const { principal, app } = await admitSender(deps, request);
  const batch = parseBatch(request.body);
  const deviceId = storedDeviceId(principal, app, batch.device_id);
  const facts = requestFacts(request.headers, request.ip, Date.now());
  const normalized = normalizeEvents({ ...batch, device_id: deviceId }, app, facts);
  for (const [reason, n] of Object.entries(normalized.dropped)) metrics.dropped.inc({ reason }, n);
  if (normalized.events.length === 0 && normalized.errors.length > 0) throw noValidEvents(normalized.errors);
  const dropped = droppedTotal(normalized.dropped);
  if (normalized.events.length > 0) {
    const outcome = await buffered(() =>
      deps.buffer.append(
        { o: app.orgId, a: app.appId, r: facts.receivedAt, e: normalized.events },
        {
          quota: app.monthlyEventQuota,
          limits: rateLimitsFor(deps.limits, principal, app, deviceId, request.ip),
          dropped,
        },
      ),
    );
    if (outcome.status !== 'stored') {
      metrics.dropped.inc({ reason: outcome.status }, normalized.events.length);
      refuse(outcome, app);
    }
    metrics.accepted.inc({ kind: 'event' }, normalized.events.length);
  }
  return {
    received: normalized.events.length,
    ...(dropped > 0 ? { dropped: normalized.dropped } : {}),
    ...(normalized.errors.length > 0 ? { errors: normalized.errors } : {}),
  };
}
