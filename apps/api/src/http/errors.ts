import { AppError, type Logger } from '@sightline/core';
import type { FastifyError, FastifyInstance } from 'fastify';

interface ErrorBody {
  error: { code: string; message: string; issues: Array<{ path: string; message: string }> };
}

function body(code: string, message: string, issues: ErrorBody['error']['issues'] = []): ErrorBody {
  return { error: { code, message, issues } };
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
    log.error({ err: error, reqId: request.id, url: request.url }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', `internal error (request ${request.id})`));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
