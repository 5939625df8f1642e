import { runCrashPipeline, runEventsPipeline } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../server.ts';
import { ingestRequest } from './ingest-steps.ts';

// The SDKs' endpoints: each reads the request, runs its pipeline (packages/core/src/ingest/
// pipelines), and answers 202. A refusal is an AppError, answered by the error handler.

export function registerTelemetryRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post('/v1/telemetry/events', async (request, reply) => {
    return reply.status(202).send(await runEventsPipeline(deps.ingest, ingestRequest(deps, request)));
  });

  app.post('/v1/telemetry/crash', async (request, reply) => {
    return reply.status(202).send(await runCrashPipeline(deps.ingest, ingestRequest(deps, request)));
  });
}
