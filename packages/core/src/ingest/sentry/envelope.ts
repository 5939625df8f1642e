import { AppError } from '../../errors.ts';

// The Sentry protocol (https://develop.sentry.dev/sdk/data-model/envelopes/): official
// Sentry SDKs report to Sightline with a DSN `http://pk_…@host/<app id>`. Envelopes are
// split into items; events become crash reports, sessions and transactions become events.
// This file reads the envelope's bytes and finds the DSN key; the items' contents are read
// by event.ts, sessions.ts, transactions.ts and client-report.ts.

export const SENTRY_ITEM_TYPES = [
  'event',
  'transaction',
  'session',
  'sessions',
  'client_report',
  'attachment',
] as const;
export type SentryItemType = (typeof SENTRY_ITEM_TYPES)[number];

export interface EnvelopeItem {
  type: string;
  headers: Record<string, unknown>;
  payload: Buffer;
}

export interface Envelope {
  headers: { event_id?: string; dsn?: string; [key: string]: unknown };
  items: EnvelopeItem[];
}

export const MAX_ENVELOPE_ITEMS = 100;
/**
 * Envelope and item headers are a few hundred bytes in every SDK; a header line is parsed
 * whole with JSON.parse before anything else, so it is capped well below a body's size.
 */
export const MAX_ENVELOPE_HEADER_BYTES = 16 * 1024;

const badEnvelope = (message: string): AppError => new AppError('BAD_REQUEST', `invalid envelope: ${message}`);

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badEnvelope(`${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badEnvelope(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Envelope bytes → headers and items. An item header's `length` counts payload bytes; without it the payload runs to the newline. */
export function parseEnvelope(body: Buffer): Envelope {
  let offset = 0;
  const line = (): Buffer | null => {
    if (offset >= body.length) return null;
    const end = body.indexOf(0x0a, offset);
    const stop = end === -1 ? body.length : end;
    const chunk = body.subarray(offset, stop);
    offset = stop + 1;
    return chunk;
  };
  const first = line();
  if (!first || first.length === 0) throw badEnvelope('the first line must be the envelope header');
  if (first.length > MAX_ENVELOPE_HEADER_BYTES)
    throw badEnvelope(`the envelope header is over ${MAX_ENVELOPE_HEADER_BYTES} bytes`);
  const headers = parseJsonObject(first.toString('utf8'), 'the envelope header') as Envelope['headers'];
  const items: EnvelopeItem[] = [];
  for (let header = line(); header !== null; header = line()) {
    if (header.length === 0) continue;
    if (items.length >= MAX_ENVELOPE_ITEMS) throw badEnvelope(`more than ${MAX_ENVELOPE_ITEMS} items`);
    if (header.length > MAX_ENVELOPE_HEADER_BYTES)
      throw badEnvelope(`item ${items.length + 1}'s header is over ${MAX_ENVELOPE_HEADER_BYTES} bytes`);
    const itemHeaders = parseJsonObject(header.toString('utf8'), `item ${items.length + 1}'s header`);
    if (typeof itemHeaders.type !== 'string') throw badEnvelope(`item ${items.length + 1}'s header has no type`);
    let payload: Buffer;
    if (itemHeaders.length !== undefined) {
      const length = itemHeaders.length;
      if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || offset + length > body.length) {
        throw badEnvelope(`item ${items.length + 1}'s length does not match the bytes sent`);
      }
      payload = body.subarray(offset, offset + length);
      offset += length;
      if (body[offset] === 0x0a) offset += 1;
    } else {
      payload = line() ?? Buffer.alloc(0);
    }
    items.push({ type: itemHeaders.type, headers: itemHeaders, payload });
  }
  return { headers, items };
}

/** A payload that must be a JSON object, or a 400 naming the item. */
export function itemJson(item: EnvelopeItem): Record<string, unknown> {
  return parseJsonObject(item.payload.toString('utf8'), `the ${item.type} item`);
}

/** The public key from `X-Sentry-Auth: Sentry sentry_key=…, sentry_version=7`, or from a DSN. */
export function sentryKeyFromAuthHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /(?:^|[\s,])sentry_key\s*=\s*([^\s,]+)/.exec(header)?.[1];
}

export function sentryKeyFromDsn(dsn: unknown): { key: string; projectId: string } | undefined {
  if (typeof dsn !== 'string') return undefined;
  try {
    const url = new URL(dsn);
    const projectId = url.pathname.split('/').filter(Boolean).pop();
    return url.username && projectId ? { key: decodeURIComponent(url.username), projectId } : undefined;
  } catch {
    return undefined;
  }
}

export const missingSentryKey = (): AppError =>
  new AppError(
    'UNAUTHORIZED',
    'missing credential: send the DSN public key as the sentry_key query parameter or in X-Sentry-Auth',
  );

/** The envelope header's DSN key, checked against the URL's project. */
export function keyFromEnvelopeDsn(dsn: unknown, projectId: string): string | undefined {
  const fromDsn = sentryKeyFromDsn(typeof dsn === 'string' ? dsn : undefined);
  if (fromDsn && fromDsn.projectId !== projectId) {
    throw new AppError(
      'BAD_REQUEST',
      `the envelope's DSN names project ${fromDsn.projectId}, the URL project ${projectId}`,
    );
  }
  return fromDsn?.key;
}

/** A `/store/` body is one event (or transaction) as JSON: the same as a one-item envelope. */
export function storeBodyAsEnvelope(body: Buffer): Envelope {
  const item = { type: 'event', headers: {}, payload: body };
  const event = itemJson(item);
  return {
    headers: { event_id: typeof event.event_id === 'string' ? event.event_id : undefined },
    items: [{ ...item, type: event.type === 'transaction' ? 'transaction' : 'event' }],
  };
}
