import { randomUUID } from 'node:crypto';
import { type z } from 'zod';
import { AppError, type ErrorIssue } from '../errors.ts';
import type { ClientTraits } from './enrich.ts';
import { truncateIp } from './enrich.ts';
import {
  eventBatchInput,
  eventInput,
  KNOWN_EVENT_DATA,
  MAX_EVENT_DATA_BYTES,
  type EventBatchInput,
  type EventInput,
  type KnownEventType,
} from './schemas.ts';
import { wellFormedJson } from './sanitize.ts';
import { MAX_DATA_DEPTH, scrubValue, TooDeepError } from './scrub.ts';
import { toBufferedEvent, type BufferedEvent } from './codec/events.ts';

// The ingestion pipeline as small named steps. Each event step answers `ok(value)` or
// `drop(reason)`; the endpoint counts drops by reason and reports invalid events.

export type DropReason = 'invalid' | 'too_large' | 'too_old' | 'sampled_out' | 'do_not_track';
export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason; issues?: ErrorIssue[] };

const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });
const drop = <T>(reason: DropReason, issues?: ErrorIssue[]): StepResult<T> => ({ ok: false, reason, issues });

/** The app an ingest request lands in, with the settings the pipeline needs. */
export interface IngestApp {
  orgId: string;
  appId: number;
  bundleId: string;
  allowedOrigins: string[];
  sampleRate: number;
  ipPolicy: string;
  scrubFields: string[];
  rawEventRetentionDays: number;
  /** Usage events from browsers asking not to be tracked are not stored. */
  respectDoNotTrack?: boolean;
}

/** What the api knows of the request itself, outside the body. */
export interface RequestFacts {
  receivedAt: number;
  ip: string;
  traits: ClientTraits;
  /** The client sent `DNT: 1` or `Sec-GPC: 1` (see asksNotToBeTracked). */
  doNotTrack?: boolean;
}

/** Do-Not-Track or Global Privacy Control, as browsers send them with every request. */
export function asksNotToBeTracked(headers: Record<string, string | string[] | undefined>): boolean {
  return headers.dnt === '1' || headers['sec-gpc'] === '1';
}

const issuesOf = (error: z.ZodError, prefix: string): ErrorIssue[] =>
  error.issues.map((i) => ({ path: [prefix, ...i.path].join('.'), message: i.message }));

/** Step: the batch envelope (device, app, at most 500 events). A bad envelope fails the whole request. */
export function parseBatch(body: unknown): EventBatchInput {
  const parsed = eventBatchInput.safeParse(body);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error, 'body').map((i) => ({ ...i, path: i.path.replace(/^body\.?/, '') }));
    throw new AppError(
      'BAD_REQUEST',
      `invalid body: ${issues.map((i) => `${i.path || 'body'} ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data;
}

/** Step: one event's shape, and the data its type must carry. */
export function validateEvent(raw: unknown, index: number): StepResult<EventInput> {
  const parsed = eventInput.safeParse(raw);
  if (!parsed.success) return drop('invalid', issuesOf(parsed.error, `events.${index}`));
  const known = KNOWN_EVENT_DATA[parsed.data.type as KnownEventType] as
    (typeof KNOWN_EVENT_DATA)[KnownEventType] | undefined;
  if (known) {
    const data = known.schema.safeParse(parsed.data.data);
    if (!data.success) return drop('invalid', issuesOf(data.error, `events.${index}.data`));
    return ok({ ...parsed.data, data: data.data });
  }
  return ok(parsed.data);
}

/** Step: a future time becomes the arrival time; one older than the app keeps raw events is dropped. */
export function clampClock(occurredAt: number, facts: RequestFacts, app: IngestApp): StepResult<number> {
  if (occurredAt > facts.receivedAt) return ok(facts.receivedAt);
  if (occurredAt < facts.receivedAt - app.rawEventRetentionDays * 86_400_000) return drop('too_old');
  return ok(occurredAt);
}

/** Step: the app's sampling rate; crashes are never sampled away. */
export function sample(type: string, app: IngestApp, random: () => number = Math.random): StepResult<true> {
  if (app.sampleRate >= 1 || type === 'app_crash' || type === 'lua_error') return ok(true);
  return random() < app.sampleRate ? ok(true) : drop('sampled_out');
}

const tooLarge = (index: number, size: number): StepResult<string> =>
  drop('too_large', [
    { path: `events.${index}.data`, message: `is ${size} bytes; at most ${MAX_EVENT_DATA_BYTES} per event` },
  ]);

/** Step: the size bound, PII scrub, then the size bound again on what will be stored. */
export function scrubData(
  data: Record<string, unknown>,
  extraKeys: ReadonlySet<string>,
  index: number,
): StepResult<string> {
  // Measured before scrubbing, so the scrubber never sees more than the limit (JSON.stringify is
  // linear; the scrubber's cost grows with the text it is given).
  let raw: string;
  try {
    raw = JSON.stringify(data);
  } catch (error) {
    // JSON.parse accepts nesting that JSON.stringify recurses too deep for: the client's error.
    if (error instanceof RangeError)
      return drop('invalid', [
        { path: `events.${index}.data`, message: `data is nested deeper than ${MAX_DATA_DEPTH} levels` },
      ]);
    throw error;
  }
  if (raw.length > MAX_EVENT_DATA_BYTES) return tooLarge(index, raw.length);
  let json: string;
  try {
    const scrubbed = scrubValue(data, extraKeys);
    // Unchanged data (the common case) is the same object: its JSON is already made. PostgreSQL's
    // jsonb refuses NUL and lone surrogates: fixed here, before the 202, since this JSON travels
    // as text inside the buffered batch where the batch's own encoding cannot see it.
    json = wellFormedJson(scrubbed === data ? raw : JSON.stringify(scrubbed));
  } catch (error) {
    if (error instanceof TooDeepError)
      return drop('invalid', [{ path: `events.${index}.data`, message: error.message }]);
    throw error;
  }
  if (json.length > MAX_EVENT_DATA_BYTES) return tooLarge(index, json.length);
  return ok(json);
}

/** The first of the fields the type names that the event's data holds. */
function pick(data: Record<string, unknown>, fields: string | readonly string[] | undefined): unknown {
  for (const field of typeof fields === 'string' ? [fields] : (fields ?? [])) {
    if (data[field] !== undefined && data[field] !== null) return data[field];
  }
  return undefined;
}

/** Step: the row's name and value columns from the fields the type names. */
export function nameAndValue(event: EventInput): { name: string | null; value: number | null } {
  const known = KNOWN_EVENT_DATA[event.type as KnownEventType] as
    { name?: string | readonly string[]; value?: string } | undefined;
  const name = event.name ?? pick(event.data, known?.name);
  const value = event.value ?? pick(event.data, known?.value);
  return {
    name: typeof name === 'string' ? name.slice(0, 200) : null,
    value: typeof value === 'number' && Number.isFinite(value) ? value : null,
  };
}

export interface NormalizedBatch {
  events: BufferedEvent[];
  /** Events left out, by reason. */
  dropped: Partial<Record<DropReason, number>>;
  /** Why each invalid or oversized event was left out. */
  errors: Array<{ index: number; issues: ErrorIssue[] }>;
}

/** Every event step in order, for one request's batch. */
export function normalizeEvents(
  batch: EventBatchInput,
  app: IngestApp,
  facts: RequestFacts,
  random: () => number = Math.random,
): NormalizedBatch {
  const out: NormalizedBatch = { events: [], dropped: {}, errors: [] };
  // Usage analytics only: crash reports have their own endpoints and are not tracking.
  if (app.respectDoNotTrack && facts.doNotTrack) {
    if (batch.events.length > 0) out.dropped.do_not_track = batch.events.length;
    return out;
  }
  const extraKeys = new Set(app.scrubFields.map((f) => f.toLowerCase()));
  const ip = app.ipPolicy === 'truncate' ? truncateIp(facts.ip) : null;
  const count = (reason: DropReason) => (out.dropped[reason] = (out.dropped[reason] ?? 0) + 1);
  const os = batch.os ?? facts.traits.os;
  const osVersion = batch.os_version ?? (batch.os ? null : facts.traits.osVersion);

  batch.events.forEach((raw, index) => {
    const valid = validateEvent(raw, index);
    if (!valid.ok) {
      count(valid.reason);
      out.errors.push({ index, issues: valid.issues ?? [] });
      return;
    }
    const event = valid.value;
    const clock = clampClock(event.timestamp, facts, app);
    if (!clock.ok) return void count(clock.reason);
    if (!sample(event.type, app, random).ok) return void count('sampled_out');
    const data = ip ? { ...event.data, $ip: ip } : event.data;
    const json = scrubData(data, extraKeys, index);
    if (!json.ok) {
      count(json.reason);
      out.errors.push({ index, issues: json.issues ?? [] });
      return;
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
  });
  return out;
}
