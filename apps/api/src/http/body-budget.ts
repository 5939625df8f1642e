import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { newJsonScan, scanJsonChunk } from './json-scan.ts';

// Bounded memory per request and in total. Every body is counted as its decoded bytes
// arrive, before anything parses it:
// - per route, a cap on decoded bytes (413 naming it), so a 5 KB gzip bomb stops at the cap;
// - per JSON body, a cap on values (objects, arrays, members), so one request cannot cost
//   30+ heap bytes per body byte;
// - across all requests at once, a budget of the heap their bodies will take (503 +
//   Retry-After past it), so no mix of requests can exceed the api's old space.

const KB = 1024;
const MB = 1024 * KB;

/** Public sizes of the ingestion routes (unchanged from before the caps); everything else is small. */
export const ROUTE_BODY_LIMITS: Record<string, number> = {
  '/v1/telemetry/events': 1 * MB,
  '/v1/telemetry/crash': 1 * MB,
  '/api/:projectId/store/': 1 * MB,
  '/api/:projectId/store': 1 * MB,
  '/api/:projectId/envelope/': 5 * MB,
  '/api/:projectId/envelope': 5 * MB,
  // The portal's own calls: a dashboard's batched tRPC request, a GraphQL document.
  '/trpc/:path': 1 * MB,
  '/graphql': 1 * MB,
};
export const DEFAULT_BODY_LIMIT = 64 * KB;

/**
 * At most this many values in one JSON body (or one envelope item). A legitimate body is far
 * below: 500 events of ~20 values, a Sentry event with 250 frames and 100 breadcrumbs ~6,000.
 * At the measured ~34 heap bytes per value a body at the cap costs ~3.4 MB once parsed.
 */
export const MAX_JSON_VALUES = 100_000;

/**
 * Heap a body is charged while it is read, parsed and handled. Per body byte: the string
 * built from the chunks, the parsed strings, the normalised copy and its serialisation for
 * Redis; measured on the bundled api, 40 parallel valid 1 MB string-heavy batches took ~5
 * heap bytes per body byte each, so 6. Per JSON value: 48 bytes (34 measured for empty
 * objects, 50 for a realistic batch including its strings, rounded up).
 */
export const BYTE_COST = 6;
/**
 * An envelope is kept as bytes (the chunks, then one Buffer) and its JSON items are parsed
 * one at a time, each held to MAX_JSON_VALUES; attachments are never parsed. So 3 per byte:
 * a 5 MB envelope takes 15 MB of the budget, not 30.
 */
export const ENVELOPE_BYTE_COST = 3;
export const VALUE_COST = 48;
/**
 * Fast path: a JSON body of at most 16 KB (by Content-Length, not encoded) is not scanned.
 * It cannot reach MAX_JSON_VALUES, and it is charged at the densest shape measured, empty
 * objects at 22.3 heap bytes per body byte, plus BYTE_COST: 30 per byte. Scanning costs about
 * half a JSON.parse (a 5.8 KB batch: ~38 µs against ~62 µs on this machine under load).
 */
export const SCAN_FROM_BYTES = 16 * KB;
export const UNSCANNED_JSON_BYTE_COST = 30;

/**
 * Default budget (INGEST_MAX_INFLIGHT_BYTES): 32 MB of estimated heap for bodies in flight.
 * Measured on the bundled api (`--trace-gc`, body-limits.int.test.ts): ~50 MB of old space
 * after start-up and ~57-61 MB after the bomb phases; with the budget full of valid maximum-
 * size batches the heap peaked at 78-88 MB after GC. Hence the api's old space of 128 MB in
 * scripts/runtime-flags.mjs (96 MB left the collector under 20 MB to work in). Normal
 * ingestion (32 connections of 50-event batches, ~6 KB each) charges under 2 MB at once.
 */
export const DEFAULT_MAX_INFLIGHT_BYTES = 32 * MB;

export interface BodyBudget {
  /** Takes `bytes` from the budget; false (nothing taken) when that would exceed it. */
  reserve(bytes: number): boolean;
  release(bytes: number): void;
  readonly inFlight: number;
  readonly max: number;
}

export function createBodyBudget(max: number): BodyBudget {
  let inFlight = 0;
  return {
    reserve(bytes) {
      if (inFlight + bytes > max) return false;
      inFlight += bytes;
      return true;
    },
    release(bytes) {
      inFlight = Math.max(0, inFlight - bytes);
    },
    get inFlight() {
      return inFlight;
    },
    get max() {
      return max;
    },
  };
}

export function bodyLimitFor(request: FastifyRequest): number {
  const url = request.routeOptions.url;
  return (url !== undefined ? ROUTE_BODY_LIMITS[url] : undefined) ?? DEFAULT_BODY_LIMIT;
}

const ENVELOPE_ROUTE = /^\/api\/:projectId\/envelope\/?$/;

/** Bodies JSON.parse will read whole: JSON content, and Sentry's `/store/` whatever its type. Envelopes are scanned per item. */
function parsedAsJson(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? '';
  if (ENVELOPE_ROUTE.test(url)) return false;
  if (url.startsWith('/api/:projectId/store')) return true;
  return (request.headers['content-type'] ?? '').toLowerCase().includes('json');
}

const human = (bytes: number): string => (bytes >= MB ? `${bytes / MB} MB` : `${bytes / KB} KB`);

function tooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `request body is over ${human(limit)} (decoded) for this route`);
}

export function tooManyValues(): AppError {
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `request body holds more than ${MAX_JSON_VALUES} JSON values (objects, arrays, list items); split it`,
  );
}

function overBudget(): AppError {
  return new AppError(
    'UNAVAILABLE',
    'the api is reading as many request bodies as its memory allows; retry shortly',
    [],
    1,
  );
}

/**
 * Counts every body after its Content-Encoding is decoded (register after
 * installBodyDecoding): route cap, JSON value cap, process-wide budget. What a request took
 * from the budget is returned when its response closes, however it ends.
 */
export function installBodyLimits(app: FastifyInstance, budget: BodyBudget): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    const headers = request.headers;
    if (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) return payload;
    const limit = bodyLimitFor(request);
    const declared = Number(headers['content-length']);
    if (!headers['content-encoding'] && declared > limit) throw tooLarge(limit);

    const json = parsedAsJson(request);
    const small = json && !headers['content-encoding'] && declared <= SCAN_FROM_BYTES;
    const scan = json && !small ? newJsonScan() : null;
    const perByte = small
      ? UNSCANNED_JSON_BYTE_COST
      : ENVELOPE_ROUTE.test(request.routeOptions.url ?? '')
        ? ENVELOPE_BYTE_COST
        : BYTE_COST;
    let charged = 0;
    const release = (): void => {
      budget.release(charged);
      charged = -Infinity;
    };

    // Fast path, the common SDK request: a small body whose decoded size is its
    // Content-Length, charged at once and read with no extra stream in the way. Larger ones
    // are charged as their bytes arrive, so a declared size never holds budget by itself.
    if (!headers['content-encoding'] && declared <= SCAN_FROM_BYTES) {
      const cost = declared * perByte;
      if (!budget.reserve(cost)) throw overBudget();
      charged = cost;
      reply.raw.once('close', release);
      return payload;
    }

    let received = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        received += chunk.length;
        if (received > limit) return callback(tooLarge(limit));
        let cost = chunk.length * perByte;
        if (scan) {
          const before = scan.values;
          scanJsonChunk(scan, chunk);
          if (scan.values > MAX_JSON_VALUES) return callback(tooManyValues());
          cost += (scan.values - before) * VALUE_COST;
        }
        // The response already closed (client gone): nothing is left to charge or release.
        if (charged < 0) return callback(overBudget());
        if (!budget.reserve(cost)) return callback(overBudget());
        charged += cost;
        callback(null, chunk);
      },
    }) as Transform & { receivedEncodedLength?: number };
    // Fastify compares this with Content-Length, which counts the encoded bytes.
    const encodedLength = (payload as { receivedEncodedLength?: number }).receivedEncodedLength;
    if (encodedLength !== undefined) guard.receivedEncodedLength = encodedLength;
    // pipe() does not pass errors on: a broken gzip stream must still end the request.
    payload.once('error', (error) => guard.destroy(error));
    // Once the parser has given up on the body (an error answered, a limit hit), nobody
    // listens: a later error must not be an uncaught exception that ends the process.
    guard.on('error', () => undefined);
    reply.raw.once('close', () => {
      release();
      guard.destroy();
    });
    return payload.pipe(guard);
  });

  // A request refused part-way (too large, over budget, no credential) may still be sending:
  // its remaining bytes are read and dropped so the client gets its answer, not a reset.
  app.addHook('onResponse', (request, _reply, done) => {
    const raw = request.raw;
    if (!raw.complete && !raw.destroyed) {
      raw.unpipe();
      raw.resume();
    }
    done();
  });
}
