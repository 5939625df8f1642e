import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

// The api's one CORS policy.
//
// Browsers on any site may call what the SDKs call from an app's pages — ingestion, device
// registration and the device's own privacy routes — with exactly the methods and headers
// the SDKs send, and never with credentials (cookies): these routes authenticate with a key
// or device token in a header, and the app's allowed origins are checked once that key names
// the app (ingest-steps.ts). Everything else acts with a portal session or a secret key
// (GraphQL, tRPC, the REST queries): closed to other origins unless the operator lists them
// in CORS_ALLOWED_ORIGINS. An origin the policy does not allow gets no CORS header at all.

/** Paths (without the query) a page on any origin may call, and the methods it may use. */
const DEVICE_ROUTES: ReadonlyArray<readonly [RegExp, readonly string[]]> = [
  [/^\/v1\/(telemetry\/(events|crash)|devices\/register|replay)$/, ['POST']],
  // Sentry's browser SDK (DSN), and the Temps-compatible wire shapes.
  [/^\/api\/\d+\/(envelope|store)\/?$/, ['POST']],
  [/^\/api\/(errors|session-replay|analytics\/metrics)$/, ['POST']],
  [/^\/v1\/privacy\/settings$/, ['GET', 'PUT']],
  // The SDK's <script> files and their SRI hashes (routes/sdk-assets.ts).
  [/^\/sdk\/[^/]+\/[^/]+$/, ['GET', 'HEAD']],
  [/^\/v1\/privacy\/export$/, ['GET']],
  [/^\/v1\/privacy\/data$/, ['DELETE']],
  // The signed links an export or deletion answer hands the page: the link is the credential.
  [/^\/v1\/privacy\/(exports|requests)\/[^/]+$/, ['GET']],
];

/** What the SDKs send (core client, privacy controls, Sentry SDKs) and read back to back off. */
const DEVICE_HEADERS = ['Authorization', 'Content-Type', 'Content-Encoding', 'X-Sentry-Auth', 'X-Request-Id'];
const EXPOSED_HEADERS = ['Retry-After', 'X-Sentry-Rate-Limits', 'X-Request-Id'];
const ONE_DAY = 86_400;

const CLOSED: FastifyCorsOptions = { origin: false };

/** Is `value` exactly an origin as browsers send it (scheme, host, port; nothing more)? */
function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** CORS_ALLOWED_ORIGINS: comma-separated exact origins that may use the session and secret-key routes. */
export const corsAllowedOriginsSchema = z
  .string()
  .optional()
  .transform((list, ctx) => {
    const origins = (list ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    for (const origin of origins.filter((o) => !isOrigin(o)))
      ctx.addIssue({ code: 'custom', message: `${origin} is not an exact origin like https://app.example.com` });
    return origins;
  });

/** The CORS answer for one request: open for the device routes, the operator's origins elsewhere. */
export function corsFor(request: Pick<FastifyRequest, 'url' | 'headers'>, allowedOrigins: ReadonlySet<string>) {
  const path = request.url.split('?', 1)[0] ?? '';
  const device = DEVICE_ROUTES.find(([pattern]) => pattern.test(path));
  if (device)
    return {
      origin: '*',
      methods: [...device[1]],
      allowedHeaders: DEVICE_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      credentials: false,
      maxAge: ONE_DAY,
    } satisfies FastifyCorsOptions;
  const origin = request.headers.origin;
  if (!origin || !allowedOrigins.has(origin)) return CLOSED;
  // An origin the operator trusts acts as the portal would: with the session cookie.
  return {
    origin,
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: ONE_DAY,
  } satisfies FastifyCorsOptions;
}

/** Installs the policy; before authentication, so a refusal still carries the headers a browser needs to read it. */
export async function installCors(app: FastifyInstance, allowedOrigins: readonly string[] = []): Promise<void> {
  const allowed = new Set(allowedOrigins);
  await app.register(cors, { delegator: (request, callback) => callback(null, corsFor(request, allowed)) });
}
