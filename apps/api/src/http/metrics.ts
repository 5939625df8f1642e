import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The api's Prometheus metrics, served at GET /metrics. The four ingestion counters
 * (accepted, dropped, sentryItems, sentryClientDiscards) are core's `IngestMetrics`: the
 * pipelines count through them as they are (routes pass `deps.ingest`).
 */
export function createApiMetrics(queueDepth: () => Promise<number>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sightline_api_' });
  const metrics = {
    registry,
    accepted: new Counter({
      name: 'sightline_ingest_events_accepted_total',
      help: 'Events acknowledged to clients (in the buffer)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'sightline_ingest_events_dropped_total',
      help: 'Events left out, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    sentryItems: new Counter({
      name: 'sightline_ingest_sentry_items_total',
      help: 'Sentry envelope items received, by type and what became of them',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    sentryClientDiscards: new Counter({
      name: 'sightline_ingest_sentry_client_discarded_total',
      help: 'Events Sentry SDKs report they discarded themselves (client reports), by reason and category',
      labelNames: ['reason', 'category'],
      registers: [registry],
    }),
    requests: new Histogram({
      name: 'sightline_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'sightline_ingest_queue_depth',
    help: 'Entries waiting in the ingestion buffer',
    registers: [registry],
    async collect() {
      this.set(await queueDepth().catch(() => -1));
    },
  });
  return metrics;
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
