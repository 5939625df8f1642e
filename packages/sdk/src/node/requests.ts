import type { SightlineClient } from '../core/client.ts';

// Request analytics (the Temps request event): method, route, status, duration and sizes of
// every request, reported as `http_request` events. Routes come from the framework when it
// knows them (Express `req.route`, Fastify's route url); otherwise ids in the path (numbers,
// UUIDs, long hex) become `:id`, so /users/42 and /users/43 are one route.

interface NodeRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
  headers: Record<string, string | string[] | undefined>;
}

interface NodeResponse {
  statusCode: number;
  getHeader(name: string): unknown;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/** A path without its query, with id-like segments as `:id`. */
export function routeOf(url: string): string {
  const path = url.split(/[?#]/, 1)[0] || '/';
  return path
    .split('/')
    .map((segment) => (ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/')
    .slice(0, 2000);
}

const size = (value: unknown): number | undefined => {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

function report(
  client: SightlineClient,
  event: {
    method: string;
    path: string;
    status: number;
    durationMs: number;
    requestSize?: number;
    responseSize?: number;
  },
): void {
  client.track('http_request', {
    method: event.method.slice(0, 16),
    path: event.path,
    status: Math.min(599, Math.max(100, event.status)),
    duration_ms: Math.max(0, Math.round(event.durationMs * 100) / 100),
    ...(event.requestSize !== undefined ? { request_size: event.requestSize } : {}),
    ...(event.responseSize !== undefined ? { response_size: event.responseSize } : {}),
  });
}

/**
 * Middleware for Node's `http` servers and Express/Connect-style apps:
 * `app.use(requestHandler(client))`, or call it first in an `http.createServer` handler.
 */
export function requestHandler(client: SightlineClient) {
  return (req: NodeRequest, res: NodeResponse, next?: () => void): void => {
    const started = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      try {
        const route = typeof req.route?.path === 'string' ? `${req.baseUrl ?? ''}${req.route.path}` : null;
        report(client, {
          method: req.method ?? 'GET',
          path: route ?? routeOf(req.originalUrl ?? req.url ?? '/'),
          status: res.statusCode,
          durationMs: performance.now() - started,
          requestSize: size(req.headers['content-length']),
          responseSize: size(res.getHeader('content-length')),
        });
      } catch {
        // Never in the way of the response.
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    next?.();
  };
}

interface FastifyLike {
  addHook(
    name: 'onResponse',
    hook: (
      request: { method: string; url: string; routeOptions?: { url?: string }; headers: Record<string, unknown> },
      reply: { statusCode: number; elapsedTime?: number; getHeader(name: string): unknown },
    ) => Promise<void>,
  ): unknown;
}

/** For Fastify: `fastifyRequests(client)(app)` (or register it as a plugin with fastify-plugin). */
export function fastifyRequests(client: SightlineClient) {
  return (app: FastifyLike): void => {
    app.addHook('onResponse', (request, reply) => {
      try {
        report(client, {
          method: request.method,
          path: request.routeOptions?.url ?? routeOf(request.url),
          status: reply.statusCode,
          durationMs: reply.elapsedTime ?? 0,
          requestSize: size(request.headers['content-length']),
          responseSize: size(reply.getHeader('content-length')),
        });
      } catch {
        // Never in the way of the response.
      }
      return Promise.resolve();
    });
  };
}
