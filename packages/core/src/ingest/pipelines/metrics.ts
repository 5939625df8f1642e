// What the pipelines count. Core knows no metrics library: the api implements this with
// its prom-client counters (apps/api/src/http/metrics.ts), whose names and labels are the
// contract operators' dashboards read. The shape is prom-client's `inc(labels, value)`, so
// the api's counters fit as they are, with no wrapper call on the hot path.

interface Count<Labels> {
  inc(labels: Labels, value?: number): void;
}

export interface IngestMetrics {
  /** sightline_ingest_events_accepted_total: acknowledged to the client (in the buffer). */
  accepted: Count<{ kind: 'event' | 'crash' }>;
  /** sightline_ingest_events_dropped_total: left out, by the step's drop reason or the buffer's refusal. */
  dropped: Count<{ reason: string }>;
  /** sightline_ingest_sentry_items_total: envelope items by type and what became of them. */
  sentryItems: Count<{ type: string; outcome: 'read' | 'invalid' | 'skipped' }>;
  /** sightline_ingest_sentry_client_discarded_total: what Sentry SDKs say they dropped themselves. */
  sentryClientDiscards: Count<{ reason: string; category: string }>;
}
