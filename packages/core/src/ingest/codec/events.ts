// The events buffer format: one accepted request's events as they travel through the Redis
// stream from the api to the event writer. The positional tuple keeps the payload small; only
// this module knows the positions (build with toBufferedEvent, read with the decoder).

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
