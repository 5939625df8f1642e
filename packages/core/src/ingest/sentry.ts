import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { MAX_STACK_FRAMES, type CrashInput, type StackFrameInput } from './schemas.ts';

// The Sentry protocol (https://develop.sentry.dev/sdk/data-model/envelopes/): official
// Sentry SDKs report to Sightline with a DSN `http://pk_…@host/<app id>`. Envelopes are
// split into items; events become crash reports, sessions and transactions become events.
// Shapes are checked loosely (SDKs vary), but every field kept is bounded.

export const SENTRY_ITEM_TYPES = [
  'event',
  'transaction',
  'session',
  'sessions',
  'client_report',
  'attachment',
] as const;
export type SentryItemType = (typeof SENTRY_ITEM_TYPES)[number];

export interface EnvelopeItem {
  type: string;
  headers: Record<string, unknown>;
  payload: Buffer;
}

export interface Envelope {
  headers: { event_id?: string; dsn?: string; [key: string]: unknown };
  items: EnvelopeItem[];
}

export const MAX_ENVELOPE_ITEMS = 100;
/**
 * Envelope and item headers are a few hundred bytes in every SDK; a header line is parsed
 * whole with JSON.parse before anything else, so it is capped well below a body's size.
 */
export const MAX_ENVELOPE_HEADER_BYTES = 16 * 1024;

const badEnvelope = (message: string): AppError => new AppError('BAD_REQUEST', `invalid envelope: ${message}`);

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badEnvelope(`${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badEnvelope(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Envelope bytes → headers and items. An item header's `length` counts payload bytes; without it the payload runs to the newline. */
export function parseEnvelope(body: Buffer): Envelope {
  let offset = 0;
  const line = (): Buffer | null => {
    if (offset >= body.length) return null;
    const end = body.indexOf(0x0a, offset);
    const stop = end === -1 ? body.length : end;
    const chunk = body.subarray(offset, stop);
    offset = stop + 1;
    return chunk;
  };
  const first = line();
  if (!first || first.length === 0) throw badEnvelope('the first line must be the envelope header');
  if (first.length > MAX_ENVELOPE_HEADER_BYTES)
    throw badEnvelope(`the envelope header is over ${MAX_ENVELOPE_HEADER_BYTES} bytes`);
  const headers = parseJsonObject(first.toString('utf8'), 'the envelope header') as Envelope['headers'];
  const items: EnvelopeItem[] = [];
  for (let header = line(); header !== null; header = line()) {
    if (header.length === 0) continue;
    if (items.length >= MAX_ENVELOPE_ITEMS) throw badEnvelope(`more than ${MAX_ENVELOPE_ITEMS} items`);
    if (header.length > MAX_ENVELOPE_HEADER_BYTES)
      throw badEnvelope(`item ${items.length + 1}'s header is over ${MAX_ENVELOPE_HEADER_BYTES} bytes`);
    const itemHeaders = parseJsonObject(header.toString('utf8'), `item ${items.length + 1}'s header`);
    if (typeof itemHeaders.type !== 'string') throw badEnvelope(`item ${items.length + 1}'s header has no type`);
    let payload: Buffer;
    if (itemHeaders.length !== undefined) {
      const length = itemHeaders.length;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || offset + length > body.length) {
        throw badEnvelope(`item ${items.length + 1}'s length does not match the bytes sent`);
      }
      payload = body.subarray(offset, offset + length);
      offset += length;
      if (body[offset] === 0x0a) offset += 1;
    } else {
      payload = line() ?? Buffer.alloc(0);
    }
    items.push({ type: itemHeaders.type, headers: itemHeaders, payload });
  }
  return { headers, items };
}

/** A payload that must be a JSON object, or a 400 naming the item. */
export function itemJson(item: EnvelopeItem): Record<string, unknown> {
  return parseJsonObject(item.payload.toString('utf8'), `the ${item.type} item`);
}

/** The public key from `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7`, or from a DSN. */
export function sentryKeyFromAuthHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /(?:^|[\s,])sentry_key\s*=\s*([^\s,]+)/.exec(header)?.[1];
}

export function sentryKeyFromDsn(dsn: unknown): { key: string; projectId: string } | undefined {
  if (typeof dsn !== 'string') return undefined;
  try {
    const url = new URL(dsn);
    const projectId = url.pathname.split('/').filter(Boolean).pop();
    return url.username && projectId ? { key: decodeURIComponent(url.username), projectId } : undefined;
  } catch {
    return undefined;
  }
}

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

const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0
    ? value.slice(0, max)
    : typeof value === 'number'
      ? String(value)
      : undefined;
const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
const object = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : ((object(value)?.values as unknown[]) ?? []);

interface SentryException {
  type?: string;
  value?: string;
  module?: string;
  frames: StackFrameInput[];
  mechanism?: Record<string, unknown>;
}

function exceptionsOf(event: Record<string, unknown>): SentryException[] {
  return list(event.exception)
    .map(object)
    .filter((e): e is Record<string, unknown> => e !== undefined)
    .map((e) => {
      const frames = list(object(e.stacktrace)?.frames)
        .map(object)
        .filter((f): f is Record<string, unknown> => f !== undefined)
        .map((f): StackFrameInput => ({
          function: text(f.function, 500) ?? null,
          module: text(f.module, 500) ?? null,
          file: text(f.filename ?? f.abs_path, 2000) ?? null,
          line: int(f.lineno) ?? null,
          column: int(f.colno) ?? null,
          in_app: typeof f.in_app === 'boolean' ? f.in_app : null,
        }))
        // Sentry lists the oldest call first; crash reports keep the newest first.
        .reverse()
        .slice(0, MAX_STACK_FRAMES);
      return {
        type: text(e.type, 200),
        value: text(e.value, 8000),
        module: text(e.module, 500),
        frames,
        mechanism: object(e.mechanism),
      };
    });
}

function renderStack(exceptions: SentryException[]): string | undefined {
  if (exceptions.length === 0 || exceptions.every((e) => e.frames.length === 0)) return undefined;
  // The outermost exception is last in Sentry's list; print it first, its causes after.
  return [...exceptions]
    .reverse()
    .map((e, i) => {
      const head = `${i > 0 ? 'Caused by: ' : ''}${e.type ?? 'Error'}${e.value ? `: ${e.value}` : ''}`;
      const frames = e.frames.map((f) => {
        const where = [f.file ?? f.module ?? '<unknown>', f.line, f.column].filter((p) => p != null).join(':');
        return f.function ? `    at ${f.function} (${where})` : `    at ${where}`;
      });
      return [head, ...frames].join('\n');
    })
    .join('\n')
    .slice(0, 256 * 1024);
}

function messageOf(event: Record<string, unknown>): string | undefined {
  const logentry = object(event.logentry) ?? object(event.message);
  return text(logentry?.formatted ?? logentry?.message, 8000) ?? text(event.message, 8000);
}

function tagsOf(value: unknown): Record<string, string> | undefined {
  const pairs: Array<[unknown, unknown]> = Array.isArray(value)
    ? value.filter(Array.isArray).map((p) => [p[0], p[1]] as [unknown, unknown])
    : Object.entries(object(value) ?? {});
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of pairs.slice(0, 100)) {
    const k = text(key, 200);
    const v = text(tagValue, 200) ?? (typeof tagValue === 'boolean' ? String(tagValue) : undefined);
    if (k && v) tags[k] = v;
  }
  return Object.keys(tags).length > 0 ? tags : undefined;
}

const LEVELS: Record<string, CrashInput['crash']['level']> = {
  fatal: 'fatal',
  error: 'error',
  warning: 'warning',
  info: 'info',
  debug: 'info',
  log: 'info',
};

/** Who the user is, as Sentry SDKs name it for sessions (`did`): id, then email, then username. */
export function sentryUserKey(user: unknown): string | undefined {
  const u = object(user);
  return text(u?.id, 200) ?? text(u?.email, 200) ?? text(u?.username, 200);
}

/**
 * A Sentry error event → a Sightline crash payload (validated afterwards like any other):
 * exceptions and their frames, release as the app version, environment, user, tags, and
 * breadcrumbs; contexts, extra, request and the SDK's own details go into `context`.
 */
export function sentryEventToCrash(
  event: Record<string, unknown>,
  device: { deviceKey: string },
  attachments: Array<{ filename: string; size: number; content_type?: string }> = [],
): CrashInput {
  const exceptions = exceptionsOf(event);
  const main = exceptions.at(-1);
  const contexts = object(event.contexts) ?? {};
  const os = object(contexts.os);
  const deviceContext = object(contexts.device);
  const user = object(event.user);
  const level =
    (typeof event.level === 'string' && Object.hasOwn(LEVELS, event.level) ? LEVELS[event.level] : undefined) ??
    (main?.mechanism?.handled === false ? 'fatal' : 'error');
  const message = main?.value ?? messageOf(event);
  const context: Record<string, unknown> = {
    sentry: {
      event_id: text(event.event_id, 64),
      platform: text(event.platform, 64),
      sdk: object(event.sdk)
        ? { name: text(object(event.sdk)?.name, 100), version: text(object(event.sdk)?.version, 64) }
        : undefined,
      server_name: text(event.server_name, 200),
      transaction: text(event.transaction, 500),
      logger: text(event.logger, 200),
      fingerprint: Array.isArray(event.fingerprint)
        ? event.fingerprint.slice(0, 20).map((f) => String(f).slice(0, 200))
        : undefined,
      mechanism: main?.mechanism,
      exceptions: exceptions.length > 1 ? exceptions.map((e) => ({ type: e.type, value: e.value })) : undefined,
    },
    ...(Object.keys(contexts).length > 0 ? { contexts } : {}),
    ...(object(event.extra) ? { extra: event.extra } : {}),
    ...(object(event.request) ? { request: event.request } : {}),
    ...(user ? { user: { id: user.id, username: user.username, segment: user.segment } } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
  };
  // All of them: capCrashParts keeps the newest and says how many there were.
  const breadcrumbs = list(event.breadcrumbs);
  return {
    app_version: text(event.release, 64) ?? null,
    device_id: device.deviceKey,
    user_id: text(user?.id, 200) ?? null,
    environment: text(event.environment, 64) ?? null,
    os: text(os?.name, 64) ?? null,
    os_version: text(os?.version, 64) ?? null,
    device_model: text(deviceContext?.model, 100) ?? null,
    timestamp: sentryTime(event.timestamp),
    crash: {
      type: main?.type ?? (main ? 'Error' : 'Message'),
      message: message ?? null,
      stack_trace: renderStack(exceptions) ?? null,
      frames: main?.frames,
      fingerprint: Array.isArray(event.fingerprint)
        ? event.fingerprint
            .slice(0, 20)
            .map((f) => String(f).slice(0, 200))
            .filter((f) => f.length > 0)
        : undefined,
      level,
      // Sentry's rule: an exception its SDK caught in a global handler says handled: false;
      // no mechanism, or handled true, is an error the app caught (a fatal level is a crash anyway).
      handled: !exceptions.some((e) => e.mechanism?.handled === false),
      context,
      breadcrumbs: breadcrumbs.length > 0 ? breadcrumbs : undefined,
      tags: tagsOf(event.tags),
    },
  };
}

/** Session states that end a session; `crashed` and `abnormal` count against crash-free rates. */
const ENDED = new Set(['exited', 'crashed', 'abnormal']);

/** Raw Sightline events (validated afterwards) with the device they belong to. */
export interface SentryDerivedEvent {
  deviceKey: string | undefined;
  /** The Sentry user's id, as the app's user id (crash reports carry it too): the organization finds the user's data by it. */
  userId?: string;
  release?: string;
  environment?: string;
  event: Record<string, unknown>;
}

/**
 * A Sentry session update → `session_start` (on its first update) and `session_end` (once
 * it is exited, crashed or abnormal, named by that status) for the same session id, so the
 * session derivation counts it, and marks it crashed.
 *
 * SDKs send several updates for one `sid`, each with its own `seq` (a logical clock) and
 * `timestamp`: the ids hash those with the status and error count, so a retried update is
 * stored once while two real updates both are.
 */
export function sentrySessionToEvents(
  session: Record<string, unknown>,
  origin: SentryItemOrigin,
): SentryDerivedEvent[] {
  const sid = text(session.sid, 100);
  if (!sid) throw new AppError('BAD_REQUEST', 'invalid envelope: a session item has no sid');
  const update = [
    sid,
    int(session.seq) ?? null,
    sentryTime(session.timestamp) ?? null,
    text(session.status, 20) ?? null,
    int(session.errors) ?? null,
  ];
  const idOf = (kind: string) => sentryDerivedEventId(origin.appId, kind, ...update);
  const attrs = object(session.attrs) ?? {};
  const base = {
    deviceKey: text(session.did, 200),
    release: text(attrs.release, 64),
    environment: text(attrs.environment, 64),
  };
  const status = text(session.status, 20) ?? 'ok';
  const out: SentryDerivedEvent[] = [];
  const started = sentryTime(session.started);
  if (session.init === true) {
    out.push({
      ...base,
      event: {
        id: idOf('session_start'),
        type: 'session_start',
        timestamp: started ?? sentryTime(session.timestamp),
        session_id: sid,
        data: { source: 'sentry' },
      },
    });
  }
  if (ENDED.has(status)) {
    const duration = typeof session.duration === 'number' && session.duration >= 0 ? session.duration : undefined;
    out.push({
      ...base,
      event: {
        id: idOf('session_end'),
        type: 'session_end',
        name: status,
        timestamp: sentryTime(session.timestamp) ?? started,
        session_id: sid,
        data: {
          source: 'sentry',
          status,
          errors: int(session.errors) ?? 0,
          ...(duration !== undefined ? { duration_seconds: duration } : {}),
        },
      },
    });
  }
  return out;
}

/**
 * Server-mode session aggregates (`sessions` item: counts per minute bucket) → one
 * `session_aggregate` event per bucket and status, the count as its value.
 *
 * A bucket has no id of its own: the event id hashes the envelope's `sent_at` and the
 * item's place in it with the bucket (start, user, release, environment, status, count),
 * so a resent envelope is stored once. Two servers whose envelopes carry no `sent_at` and
 * report the same counts for the same bucket at the same place would be stored once too.
 */
export function sentrySessionAggregatesToEvents(
  item: Record<string, unknown>,
  origin: SentryItemOrigin,
): SentryDerivedEvent[] {
  const attrs = object(item.attrs) ?? {};
  const release = text(attrs.release, 64);
  const environment = text(attrs.environment, 64);
  const envelopeId = [text(origin.sentAt, 64) ?? null, origin.index];
  const out: SentryDerivedEvent[] = [];
  for (const raw of list(item.aggregates).slice(0, 100)) {
    const bucket = object(raw);
    if (!bucket) continue;
    const deviceKey = text(bucket.did, 200);
    const started = sentryTime(bucket.started);
    for (const status of ['exited', 'errored', 'abnormal', 'crashed'] as const) {
      const count = int(bucket[status]);
      if (!count) continue;
      out.push({
        deviceKey,
        release,
        environment,
        event: {
          id: sentryDerivedEventId(origin.appId, 'session_aggregate', ...envelopeId, [
            started ?? null,
            deviceKey ?? null,
            release ?? null,
            environment ?? null,
            status,
            count,
          ]),
          type: 'session_aggregate',
          name: status,
          value: count,
          timestamp: started,
          data: { source: 'sentry', status },
        },
      });
    }
  }
  return out;
}

const VITALS: Record<string, string> = { lcp: 'LCP', inp: 'INP', cls: 'CLS', fcp: 'FCP', ttfb: 'TTFB', fid: 'FID' };

/**
 * A transaction → a `transaction` event (name, duration in ms, op, status) and one `web_vital` per measured vital.
 *
 * Their ids hash the transaction's `event_id` (or, without one, its trace and root span ids),
 * so a retried envelope is stored once. A transaction with neither gets random ids: a retry
 * of it is stored twice, as Sightline cannot tell it from a second transaction.
 */
export function sentryTransactionToEvents(tx: Record<string, unknown>, origin: SentryItemOrigin): SentryDerivedEvent[] {
  const start = sentryTime(tx.start_timestamp);
  const end = sentryTime(tx.timestamp);
  const trace = object(object(tx.contexts)?.trace) ?? {};
  const eventId = text(tx.event_id, 64);
  const traceId = text(trace.trace_id, 64);
  const spanId = text(trace.span_id, 64);
  const identity = eventId ? [eventId] : traceId && spanId ? [null, traceId, spanId] : undefined;
  const idOf = (kind: string, ...more: string[]) =>
    identity ? sentryDerivedEventId(origin.appId, kind, ...identity, ...more) : randomUUID();
  const base = {
    deviceKey: sentryUserKey(tx.user),
    userId: text(object(tx.user)?.id, 200),
    release: text(tx.release, 64),
    environment: text(tx.environment, 64),
  };
  const name = text(tx.transaction, 200) ?? 'unnamed transaction';
  const out: SentryDerivedEvent[] = [
    {
      ...base,
      event: {
        id: idOf('transaction'),
        type: 'transaction',
        name,
        value: start !== undefined && end !== undefined ? Math.max(0, end - start) : null,
        timestamp: end ?? start,
        data: {
          source: 'sentry',
          op: text(trace.op, 100),
          status: text(trace.status, 50),
          trace_id: traceId,
          spans: Array.isArray(tx.spans) ? tx.spans.length : 0,
        },
      },
    },
  ];
  const measured = new Set<string>();
  for (const [key, measurement] of Object.entries(object(tx.measurements) ?? {})) {
    const vital = VITALS[key.toLowerCase()];
    const value = object(measurement)?.value;
    // One of each vital (`lcp` and `LCP` would otherwise share an id).
    if (!vital || measured.has(vital) || typeof value !== 'number' || !Number.isFinite(value) || value < 0) continue;
    measured.add(vital);
    out.push({
      ...base,
      event: {
        id: idOf('web_vital', vital),
        type: 'web_vital',
        timestamp: end ?? start,
        data: { name: vital, value, page: name, source: 'sentry' },
      },
    });
  }
  return out;
}

/** What a `client_report` says the SDK threw away, by reason and category. */
export function sentryClientReportDiscards(
  report: Record<string, unknown>,
): Array<{ reason: string; category: string; quantity: number }> {
  return list(report.discarded_events)
    .map(object)
    .filter((d): d is Record<string, unknown> => d !== undefined)
    .map((d) => ({
      reason: text(d.reason, 50) ?? 'unknown',
      category: text(d.category, 50) ?? 'unknown',
      quantity: int(d.quantity) ?? 0,
    }))
    .filter((d) => d.quantity > 0)
    .slice(0, 50);
}
