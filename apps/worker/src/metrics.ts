import { createServer, type Server, type ServerResponse } from 'node:http';
import { bearerMatches, readiness } from '@sightline/core';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WriterMetrics } from './jobs/event-writer.ts';

/** The worker's Prometheus metrics: writer batch sizes and latency, dead letters, process stats. */
export function createWorkerMetrics(): WriterMetrics & { registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sightline_worker_' });
  const batchRows = new Histogram({
    name: 'sightline_writer_batch_rows',
    help: 'Events per writer transaction',
    buckets: [10, 100, 500, 1000, 2500, 5000, 10000, 25000],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'sightline_writer_batch_seconds',
    help: 'Writer transaction latency',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const written = new Counter({
    name: 'sightline_writer_events_total',
    help: 'Events handed to PostgreSQL',
    registers: [registry],
  });
  const dead = new Counter({
    name: 'sightline_writer_dead_letters_total',
    help: 'Buffer entries moved to the dead-letter list',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    registry,
    observeBatch(rows, seconds) {
      batchRows.observe(rows);
      batchSeconds.observe(seconds);
      written.inc(rows);
    },
    deadLetter(reason) {
      dead.inc({ reason });
    },
  };
}

/** What the worker's /readyz asks: its PostgreSQL pool and its Redis connection. */
export interface WorkerReadiness {
  postgres: () => Promise<unknown>;
  redis: () => Promise<unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * The worker's own port (all interfaces): `/healthz` (the process answers; never touches
 * dependencies, so an outage does not get a healthy worker restarted) and `/readyz`
 * (PostgreSQL and Redis answer, else 503), both open like the api's, and `/metrics`, which
 * with a token answers only `Authorization: Bearer <token>`.
 */
export function serveMetrics(registry: Registry, port: number, token?: string, ready?: WorkerReadiness): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz' && ready) {
      readiness(ready).then(
        ({ status, body }) => sendJson(res, status, body),
        () => sendJson(res, 503, { status: 'unavailable' }),
      );
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (token && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="sightline-metrics"' }).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  }).listen(port);
}
