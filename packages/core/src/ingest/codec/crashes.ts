// The crash buffer format: one crash report per stream entry, from the api to the crash
// writer. Crash reports are few and large next to events, so decoding validates the whole
// record with a schema; a record that fails it is dead-lettered by the writer, never guessed at.

import { z } from 'zod';
import type { CrashRecord } from '../crash.ts';
import { encodeForBuffer } from '../sanitize.ts';
import { BufferFormatError } from './events.ts';

/**
 * The format version written into every record (`v`). A record without one was written by an
 * api from before versions and is read the same way; a newer version is refused (see
 * EVENTS_FORMAT_VERSION for why).
 */
export const CRASH_FORMAT_VERSION = 1;

const text = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/**
 * What a buffered crash report must hold. Fields added after the first crash format are
 * optional and given the value an older api meant by leaving them out.
 */
const crashRecordSchema = z.object({
  v: z.literal(CRASH_FORMAT_VERSION).optional(),
  id: z.string(),
  orgId: z.string(),
  appId: z.number(),
  source: z.enum(['sightline', 'sentry']),
  occurredAt: z.number(),
  receivedAt: z.number(),
  deviceId: z.string(),
  sessionId: text,
  userId: text,
  appVersion: text,
  environment: text,
  crashType: z.string(),
  level: z.string(),
  handled: z.boolean().optional(),
  message: text,
  stackTrace: text,
  frames: z.unknown(),
  // Anything but a list of strings is no SDK grouping (the writer always read it that way).
  sdkFingerprint: z
    .unknown()
    .optional()
    .transform((v) => (Array.isArray(v) && v.every((part) => typeof part === 'string') ? v : null)),
  context: z.unknown(),
  breadcrumbs: z.unknown(),
  tags: z
    .record(z.string(), z.string())
    .nullish()
    .transform((v) => v ?? null),
  os: text,
  osVersion: text,
  browser: text,
  deviceModel: text,
  country: text,
});

/** A crash report → the text the buffer stores (NUL and lone surrogates fixed before the 202). */
export function encodeCrashRecord(record: CrashRecord): string {
  return encodeForBuffer({ v: CRASH_FORMAT_VERSION, ...record });
}

/** Buffer text → the crash report, or a BufferFormatError naming the first field at fault. */
export function decodeCrashRecord(payload: string): CrashRecord {
  const parsed: unknown = JSON.parse(payload);
  if (typeof parsed === 'object' && parsed !== null && 'v' in parsed && parsed.v !== CRASH_FORMAT_VERSION)
    throw new BufferFormatError(`crash report of unknown format version ${JSON.stringify(parsed.v)}`);
  const result = crashRecordSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BufferFormatError(
      `not a crash report${issue ? ` (${issue.path.join('.') || 'record'}: ${issue.message})` : ''}`,
    );
  }
  const { v: _version, handled, ...record } = result.data;
  return {
    ...record,
    // Buffered by an api from before crash reports said so: only fatal ones were crashes then.
    handled: handled ?? record.level !== 'fatal',
  };
}
