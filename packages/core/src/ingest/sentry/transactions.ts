import { randomUUID } from 'node:crypto';
import {
  object,
  sentryDerivedEventId,
  sentryTime,
  sentryUserKey,
  text,
  type SentryDerivedEvent,
  type SentryItemOrigin,
} from './fields.ts';

// Sentry's performance data: a transaction becomes a `transaction` event and its web vitals.

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
