import { AppError } from '../../errors.ts';
import {
  int,
  list,
  object,
  sentryDerivedEventId,
  sentryTime,
  text,
  type SentryDerivedEvent,
  type SentryItemOrigin,
} from './fields.ts';

// Sentry's release health: session updates (client mode) and session aggregates (server
// mode) become events that the session derivation and crash-free rates count.

/** Session states that end a session; `crashed` and `abnormal` count against crash-free rates. */
const ENDED = new Set(['exited', 'crashed', 'abnormal']);

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
