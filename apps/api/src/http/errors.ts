import { AppError, type Logger } from '@sightline/core';
import { redactUrl } from './log-redaction.ts';
import type { FastifyError, FastifyInstance } from 'fastify';

interface ErrorBody {
  error: { code: string; message: string; issues: Array<{ path: string; message: string }> };
}

function body(code: string, message: string, issues: ErrorBody['error']['issues'] = []): ErrorBody {
  return { error: { code, message, issues } };
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'P1001',
  'P1002',
  'P1017',
]);

/**
 * PostgreSQL or Redis not answering (connection refused or lost, the server shutting down,
 * ioredis giving up on a command): the caller may retry, so 503 rather than 500.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | null, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNAVAILABLE_CODES.has(code) || /^(08|57P0[1-3])/.test(code)) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (
      /Connection is closed|Connection terminated|Stream isn't writeable|enableOfflineQueue options is false|Can't reach database server|the database system is (shutting down|starting up)/i.test(
        message,
      )
    )
      return true;
  }
  return false;
}

/**
 * One mapping from failures to HTTP: AppError keeps its code; Fastify's own client errors
 * (bad JSON, too large, wrong content type) keep their 4xx; anything else is masked as 500
 * and logged with the request id.
 */
export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      if (error.retryAfter !== undefined) void reply.header('Retry-After', String(error.retryAfter));
      return reply.status(error.status).send(body(error.code, error.message, error.issues));
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return reply.status(status).send(body(code, error.message));
    }
    if (isDependencyUnavailable(error)) {
      log.warn({ err: error.message, reqId: request.id, url: redactUrl(request.url) }, 'a dependency is unavailable');
      void reply.header('Retry-After', '5');
      return reply.status(503).send(body('UNAVAILABLE', 'a backing service is unavailable; retry shortly'));
    }
    log.error({ err: error, reqId: request.id, url: redactUrl(request.url) }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', `internal error (request ${request.id})`));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
