import { randomUUID } from 'node:crypto';
import { AppError, type ErrorIssue } from '../../errors.ts';
import { buildCrashRecord, type CrashRecord } from '../crash.ts';
import type { IngestMetrics } from '../pipelines/metrics.ts';
import type { IngestApp, RequestFacts } from '../request.ts';
import { crashInput } from '../schemas.ts';
import { sentryClientReportDiscards } from './client-report.ts';
import { itemJson, type Envelope } from './envelope.ts';
import { sentryEventToCrash } from './event.ts';
import { crashIdFor, sentryUserKey, type SentryDerivedEvent } from './fields.ts';
import { sentrySessionAggregatesToEvents, sentrySessionToEvents } from './sessions.ts';
import { sentryTransactionToEvents } from './transactions.ts';

// An envelope's items by their type: events → crash reports; sessions and transactions →
// raw events (validated afterwards by the event steps); client reports counted; the rest
// skipped. A broken item is reported and the others still count.

export interface EnvelopeContents {
  crashes: CrashRecord[];
  derived: SentryDerivedEvent[];
  errors: Array<{ index: number; issues: ErrorIssue[] }>;
  /** Sentry's ids of the events read, in order. */
  eventIds: string[];
}

/** The stored device id of a Sentry user key (undefined: no user named). */
export type SentryDeviceIdOf = (userKey: string | undefined) => string;

/** Attachments' names and sizes (their bytes are not kept), for the crash reports' context. */
function attachmentsOf(envelope: Envelope) {
  return envelope.items
    .filter((item) => item.type === 'attachment')
    .map((item) => ({
      filename: typeof item.headers.filename === 'string' ? item.headers.filename.slice(0, 200) : 'attachment',
      size: item.payload.length,
      ...(typeof item.headers.content_type === 'string'
        ? { content_type: item.headers.content_type.slice(0, 100) }
        : {}),
    }));
}

/** Each item by its type: events → crash reports; sessions and transactions → events; the rest counted or skipped. */
export function readItems(
  envelope: Envelope,
  app: IngestApp,
  facts: RequestFacts,
  deviceIdOf: SentryDeviceIdOf,
  metrics: Pick<IngestMetrics, 'sentryItems' | 'sentryClientDiscards'>,
): EnvelopeContents {
  const out: EnvelopeContents = { crashes: [], derived: [], errors: [], eventIds: [] };
  const attachments = attachmentsOf(envelope);
  envelope.items.forEach((item, index) => {
    const origin = { appId: app.appId, index, sentAt: envelope.headers.sent_at };
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
            buildCrashRecord(parsed.data, app, facts, deviceIdOf(userKey), {
              id: crashIdFor(app.appId, eventId),
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

/** Derived events that share a device, user, release and environment: one event batch. */
export interface DerivedBatch {
  deviceKey: string | undefined;
  userId?: string;
  release?: string;
  environment?: string;
  events: unknown[];
}

/** Derived events grouped into batches, one per device, user and release (in order of first appearance). */
export function groupDerived(derived: SentryDerivedEvent[]): Iterable<DerivedBatch> {
  const groups = new Map<string, DerivedBatch>();
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
  return groups.values();
}
