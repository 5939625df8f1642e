import type { FastifyRequest } from 'fastify';
import type { Logger } from '@sightline/core';

// Signed links (privacy exports and request status) carry their credential in `sig`: whoever
// reads the api's log could download a subject's export. The name is compared after decoding,
// as Fastify's query parser does, so `%73ig=` is caught too.
const SECRET_PARAMS = new Set(['sig']);

/** A request URL fit for the log: values of credential parameters replaced. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(at + 1));
  } catch {
    return `${url.slice(0, at)}?[redacted]`;
  }
  if (![...params.keys()].some((key) => SECRET_PARAMS.has(key.toLowerCase()))) return url;
  for (const key of [...new Set(params.keys())])
    if (SECRET_PARAMS.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.slice(0, at)}?${params.toString()}`;
}

/**
 * The api's logger with Fastify's `req` serializer (the "incoming request" line) logging
 * redacted URLs; Fastify keeps a logger instance's own serializers over its defaults.
 */
export function withRedactedRequests(log: Logger): Logger {
  return log.child(
    {},
    {
      serializers: {
        req: (request: FastifyRequest) => ({
          method: request.method,
          url: redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        }),
      },
    },
  );
}
