import { createHash } from 'node:crypto';

// Devices the server names itself, from fields anyone can guess: a Sentry user's id, email
// or username, or the address an anonymous Sentry event came from. Their stored ids live
// in a namespace of their own, so no `device_id` an SDK registers (`POST
// /v1/devices/register`, hashed by `hashDeviceId` as `salt ":" id`) ever lands on one, and
// no `dt_` token reaches their data: that is the organization's to export or delete, by
// the app's user id.

type Namespace = 'sentry:user' | 'sentry:ip';

/**
 * `salt NUL namespace NUL key`: with the same salt, this input and an SDK device's differ at
 * the byte after the salt (NUL here, ":" there), so a registered id would need a SHA-256
 * collision to match a derived one, whatever characters it holds.
 */
function derivedDeviceId(appSalt: string, namespace: Namespace, key: string): string {
  return createHash('sha256').update(appSalt).update('\0').update(namespace).update('\0').update(key).digest('hex');
}

/** The stored device id of a Sentry user (`sentryUserKey`: id, else email, else username). */
export const sentryUserDeviceId = (appSalt: string, userKey: string): string =>
  derivedDeviceId(appSalt, 'sentry:user', userKey);

/** The device of a Sentry event that names no user: its sender's address stands in. */
export const sentryAddressDeviceId = (appSalt: string, address: string): string =>
  derivedDeviceId(appSalt, 'sentry:ip', address);
