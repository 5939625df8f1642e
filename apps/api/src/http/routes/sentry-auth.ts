import { PassThrough, type Readable } from 'node:stream';
import {
  AppError,
  keyFromEnvelopeDsn,
  MAX_ENVELOPE_HEADER_BYTES,
  missingSentryKey,
  requireIngestKey as requireIngestKeyStep,
  sentryKeyFromAuthHeader,
  type Principal,
} from '@sightline/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerDeps } from '../server.ts';
import { credentialOf } from './ingest-steps.ts';

// The Sentry routes' credential, checked before the body is read: the DSN key comes in the
// `sentry_key` query parameter or `X-Sentry-Auth` header, or, for envelopes only, in the
// envelope header's `dsn`, its first line: then just that line is read (at most 16 KB).

/** The DSN key from the `sentry_key` query parameter or the `X-Sentry-Auth` header. */
export function sentryKeyOutsideBody(request: FastifyRequest): string | undefined {
  const query = (request.query as { sentry_key?: unknown }).sentry_key;
  if (typeof query === 'string' && query) return query;
  const header = request.headers['x-sentry-auth'];
  return sentryKeyFromAuthHeader(typeof header === 'string' ? header : undefined) ?? undefined;
}

/** Reads until the first newline (or MAX_ENVELOPE_HEADER_BYTES, or the end); the chunks read so far. */
function readFirstLine(stream: Readable): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', finish);
      stream.pause();
      if (error) reject(error);
      else resolve(chunks);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (chunk.includes(0x0a) || size > MAX_ENVELOPE_HEADER_BYTES) finish();
    };
    const onEnd = (): void => finish();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', finish);
  });
}

async function authenticateFromEnvelopeHeader(
  deps: ServerDeps,
  request: FastifyRequest,
  payload: Readable,
): Promise<Readable> {
  const chunks = await readFirstLine(payload);
  const head = Buffer.concat(chunks);
  const end = head.indexOf(0x0a);
  const line = head.subarray(0, end === -1 ? head.length : end);
  if (line.length > MAX_ENVELOPE_HEADER_BYTES) {
    throw new AppError(
      'BAD_REQUEST',
      `invalid envelope: the envelope header is over ${MAX_ENVELOPE_HEADER_BYTES} bytes`,
    );
  }
  let dsn: unknown;
  try {
    dsn = (JSON.parse(line.toString('utf8')) as { dsn?: unknown } | null)?.dsn;
  } catch {
    // Not JSON: no key in it; the parser names the broken envelope if a key arrives another way.
  }
  const { projectId } = request.params as { projectId: string };
  const key = keyFromEnvelopeDsn(dsn, projectId);
  if (!key) throw missingSentryKey();
  await requireIngestKey(deps, request, key);
  // The rest of the body follows the bytes already read, through the same limits.
  const rest = new PassThrough() as PassThrough & { receivedEncodedLength?: number };
  const encodedLength = (payload as { receivedEncodedLength?: number }).receivedEncodedLength;
  if (encodedLength !== undefined) rest.receivedEncodedLength = encodedLength;
  payload.once('error', (error) => rest.destroy(error));
  rest.on('error', () => undefined); // the parser reports it; never an uncaught exception
  rest.write(head);
  payload.pipe(rest);
  return rest;
}

/** The credential step's check (pk_ keys only) on a key this request carries. */
export function requireIngestKey(deps: ServerDeps, request: FastifyRequest, key: string): Promise<Principal> {
  return requireIngestKeyStep(credentialOf(deps, request), key);
}

/** Hooks for the Sentry scope: register inside it, after the body decoding and limits. */
export function installSentryAuthentication(scope: FastifyInstance, deps: ServerDeps): void {
  scope.addHook('onRequest', async (request) => {
    const { projectId } = request.params as { projectId?: string };
    if (projectId === undefined || !/^\d{1,9}$/.test(projectId)) return; // the handler answers 404
    const key = sentryKeyOutsideBody(request);
    if (key) await requireIngestKey(deps, request, key);
    else if (!(request.routeOptions.url ?? '').includes('/envelope')) throw missingSentryKey();
  });
  scope.addHook('preParsing', async (request, _reply, payload) => {
    const { projectId } = request.params as { projectId?: string };
    if (projectId === undefined || !/^\d{1,9}$/.test(projectId)) return payload;
    if (sentryKeyOutsideBody(request)) return payload;
    return authenticateFromEnvelopeHeader(deps, request, payload);
  });
}
