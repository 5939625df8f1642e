import { runSentryPipeline, type Envelope } from '@sightline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_JSON_VALUES, tooManyValues } from '../body-budget.ts';
import { countJsonValues } from '../json-scan.ts';
import type { ServerDeps } from '../server.ts';
import { credentialOf } from './ingest-steps.ts';
import { installSentryAuthentication, sentryKeyOutsideBody } from './sentry-auth.ts';

// The Sentry protocol for official Sentry SDKs: `POST /api/<app id>/envelope/` and the
// older `/store/`. The DSN's public key is the app's `pk_` key; the project id its id.
// What an envelope becomes is core's (ingest/sentry/, pipelines/sentry.ts); this file reads
// the bytes, bounds them, and shapes the reply.

/** Envelopes may carry attachments (their bytes are not kept, only their names and sizes). */
const ENVELOPE_BODY_LIMIT = 5 * 1024 * 1024;
/** A `/store/` body is one event, parsed whole. */
const STORE_BODY_LIMIT = 1024 * 1024;

/**
 * Items read with JSON.parse. Their values are counted together against the same cap as one
 * JSON body: the crash reports built from them stay in memory until the append, so 100 items
 * just under the cap each would hold ~60 MB where one body may hold ~5 MB.
 */
const JSON_ITEM_TYPES = new Set(['event', 'transaction', 'session', 'sessions', 'client_report']);

function checkItemSizes(envelope: Envelope): void {
  let values = 0;
  for (const item of envelope.items) {
    if (JSON_ITEM_TYPES.has(item.type)) values += countJsonValues(item.payload);
    if (values > MAX_JSON_VALUES) throw tooManyValues();
  }
}

async function receive(deps: ServerDeps, kind: 'envelope' | 'store', request: FastifyRequest, reply: FastifyReply) {
  const { projectId } = request.params as { projectId: string };
  const answer = await runSentryPipeline(deps.ingest, {
    kind,
    projectId,
    body: request.body,
    headers: request.headers,
    ip: request.ip,
    // Already checked before the body was read (sentry-auth.ts): this answers from that lookup.
    credential: credentialOf(deps, request),
    keyOutsideBody: sentryKeyOutsideBody(request),
    limitItems: checkItemSizes,
    onRateLimits: (value) => void reply.header('X-Sentry-Rate-Limits', value),
  });
  return reply.status(200).send(answer);
}

export function registerSentryRoutes(app: FastifyInstance, deps: ServerDeps): void {
  void app.register((scope, _options, done) => {
    // Sentry SDKs send envelopes as application/x-sentry-envelope, or text/plain from
    // browsers (no preflight), and some send none: every body is read as bytes here.
    scope.removeAllContentTypeParsers();
    installSentryAuthentication(scope, deps);
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ENVELOPE_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    for (const url of ['/api/:projectId/envelope/', '/api/:projectId/envelope']) {
      scope.post(url, { bodyLimit: ENVELOPE_BODY_LIMIT }, (request, reply) =>
        receive(deps, 'envelope', request, reply),
      );
    }
    for (const url of ['/api/:projectId/store/', '/api/:projectId/store']) {
      scope.post(url, { bodyLimit: STORE_BODY_LIMIT }, (request, reply) => receive(deps, 'store', request, reply));
    }
    done();
  });
}
