// The events buffer format: one accepted request's events as they travel through the Redis
// stream from the api to the event writer. The positional tuple keeps the payload small; only
// this module knows the positions (build with toBufferedEvent, read with the decoder).

import type { EventRow } from '@sightline/db/event-store';
import { encodeForBuffer } from '../sanitize.ts';

/**
 * One stored event in the buffer. Order: id, occurredAt ms, type, name, deviceId, sessionId,
 * userId, appVersion, environment, os, osVersion, browser, deviceModel, country, value, data JSON.
 */
export type BufferedEvent = [
  string,
  number,
  string,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
  string,
];

/** The fields of one buffered event, by name. */
export interface BufferedEventFields {
  id: string;
  occurredAt: number;
  type: string;
  name: string | null;
  deviceId: string;
  sessionId: string | null;
  userId: string | null;
  appVersion: string | null;
  environment: string | null;
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  deviceModel: string | null;
  country: string | null;
  value: number | null;
  /** The event's data, already scrubbed, as JSON text. */
  data: string;
}

/** Named fields → the buffer's tuple. */
export function toBufferedEvent(f: BufferedEventFields): BufferedEvent {
  return [
    f.id,
    f.occurredAt,
    f.type,
    f.name,
    f.deviceId,
    f.sessionId,
    f.userId,
    f.appVersion,
    f.environment,
    f.os,
    f.osVersion,
    f.browser,
    f.deviceModel,
    f.country,
    f.value,
    f.data,
  ];
}

/** The device a buffered event belongs to. */
export const deviceIdOfBuffered = (event: BufferedEvent): string => event[4];

/** One accepted request's events as the buffer carries them: org id, app id, received-at ms, events. */
export interface BufferedBatch {
  o: string;
  a: number;
  r: number;
  e: BufferedEvent[];
}

/**
 * The format version written into every entry (`v`). An entry without one was written by an
 * api from before versions (the same `{o,a,r,e}` shape) and is read as version 0; a writer
 * meeting a version newer than it knows dead-letters the entry instead of guessing, so a
 * rolling upgrade never stores a misread event (replay it once every worker is upgraded).
 * A worker from before versions ignores `v` and reads version 1 as it read its own format.
 */
export const EVENTS_FORMAT_VERSION = 1;

/** A buffer entry that is not a batch this version can read (the message says why). */
export class BufferFormatError extends Error {
  override name = 'BufferFormatError';
}

/** The last field of a buffered event: its data as JSON text, already storable (scrubData). */
const DATA_FIELD = 15;

/**
 * A batch → the text the buffer stores. Every string passes encodeForBuffer: what PostgreSQL
 * would refuse (NUL, lone surrogates) is fixed here, before the api answers 202.
 */
export function encodeEventBatch(batch: BufferedBatch): string {
  return encodeForBuffer({ v: EVENTS_FORMAT_VERSION, o: batch.o, a: batch.a, r: batch.r, e: batch.e }, DATA_FIELD);
}

const BUFFERED_EVENT_LENGTH = 16;

/**
 * A light structural check of one tuple: its length and the fields the store cannot do
 * without (id, time, type, device, data). The writer reads every event of a batch, so this
 * is a handful of typeof checks, not a schema.
 */
function isBufferedEvent(event: unknown): event is BufferedEvent {
  return (
    Array.isArray(event) &&
    event.length === BUFFERED_EVENT_LENGTH &&
    typeof event[0] === 'string' &&
    typeof event[1] === 'number' &&
    typeof event[2] === 'string' &&
    typeof event[4] === 'string' &&
    typeof event[DATA_FIELD] === 'string'
  );
}

/** Buffer text → the batch, or a BufferFormatError (unreadable JSON throws JSON.parse's own SyntaxError). */
export function decodeEventBatch(payload: string): BufferedBatch {
  const parsed = JSON.parse(payload) as { v?: unknown; o?: unknown; a?: unknown; r?: unknown; e?: unknown } | null;
  if (typeof parsed !== 'object' || parsed === null) throw new BufferFormatError('not a buffered batch');
  if (parsed.v !== undefined && parsed.v !== EVENTS_FORMAT_VERSION)
    throw new BufferFormatError(`buffered batch of unknown format version ${JSON.stringify(parsed.v)}`);
  const { o, a, r, e } = parsed;
  if (typeof o !== 'string' || typeof a !== 'number' || typeof r !== 'number' || !Array.isArray(e))
    throw new BufferFormatError('not a buffered batch');
  for (let i = 0; i < e.length; i++) {
    if (!isBufferedEvent(e[i])) throw new BufferFormatError(`event ${i} of the buffered batch is not a buffered event`);
  }
  return { o, a, r, e: e as BufferedEvent[] };
}

/** Appends the batch's events to `rows` as the event store's rows (the writer never indexes tuples). */
export function appendEventRows(batch: BufferedBatch, rows: EventRow[]): void {
  for (const e of batch.e) {
    rows.push({
      orgId: batch.o,
      appId: batch.a,
      receivedAt: batch.r,
      id: e[0],
      occurredAt: e[1],
      type: e[2],
      name: e[3],
      deviceId: e[4],
      sessionId: e[5],
      userId: e[6],
      appVersion: e[7],
      environment: e[8],
      os: e[9],
      osVersion: e[10],
      browser: e[11],
      deviceModel: e[12],
      country: e[13],
      value: e[14],
      data: e[DATA_FIELD],
    });
  }
}

/** Where an event (by id and time, as its row says) sits in the batch; -1 when it is not there. */
export function indexOfBufferedEvent(batch: BufferedBatch, id: string, occurredAt: number | Date): number {
  const at = typeof occurredAt === 'number' ? occurredAt : occurredAt.getTime();
  return batch.e.findIndex((e) => e[0] === id && e[1] === at);
}

/** The batch cut down to its one event at `index`, encoded: a payload a replay re-appends alone. */
export function encodeOneEventOf(batch: BufferedBatch, index: number): string {
  const event = batch.e[index];
  if (!event) throw new RangeError(`no event ${index} in the buffered batch`);
  return encodeEventBatch({ o: batch.o, a: batch.a, r: batch.r, e: [event] });
}
