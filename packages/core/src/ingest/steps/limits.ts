import type { Principal } from '../../keys/resolver.ts';
import type { RateLimit } from '../buffer.ts';
import type { IngestTarget } from '../directory.ts';

// Step 12, limits: the rate limits a request counts against. They are checked inside the
// buffer's append (one Redis round trip with the write), so this step only names them.

/** Requests per minute (sliding window) per credential, per device, per address. */
export interface IngestLimits {
  perKey: number;
  perDevice: number;
  perIp: number;
}

/** Step: the RateLimit list for one request. */
export function rateLimitsFor(
  limits: IngestLimits,
  principal: Principal,
  app: IngestTarget,
  deviceId: string,
  ip: string,
): RateLimit[] {
  return [
    { subject: `key:${principal.credentialId}`, limit: limits.perKey },
    { subject: `device:${app.appId}:${deviceId}`, limit: limits.perDevice },
    { subject: `ip:${ip}`, limit: limits.perIp },
  ];
}
