import type { Principal } from '../../keys/resolver.ts';
import { hashDeviceId } from '../../tenancy/devices.ts';
import { sentryAddressDeviceId, sentryUserDeviceId } from '../derived-identity.ts';
import type { IngestTarget } from '../directory.ts';

// Step 10, hash: the device id a client sends is never stored as sent. It is hashed with
// the app's salt; a device token already names its hashed device, and wins.

/** Step: the stored device id of a request's device. */
export function storedDeviceId(principal: Principal, app: IngestTarget, sentDeviceId: string): string {
  return principal.deviceIdHash ?? hashDeviceId(app.deviceIdSalt, sentDeviceId);
}

/**
 * Step (Sentry): the stored device of a Sentry user, or with no user named, of the sending
 * address. Both are guessable, so they are hashed in their own namespace, which no device id
 * a pk_ holder registers can reach (derived-identity.ts).
 */
export function sentryDeviceId(app: IngestTarget, ip: string, userKey: string | undefined): string {
  return userKey === undefined
    ? sentryAddressDeviceId(app.deviceIdSalt, ip)
    : sentryUserDeviceId(app.deviceIdSalt, userKey);
}
