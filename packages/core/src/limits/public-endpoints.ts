import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Principal } from '../keys/resolver.ts';
import { createSlidingWindowLimiter, type LimitCheck } from './sliding-window.ts';

// Limits on the public endpoints that are not ingestion: device registration (a pk_ key sits
// in every page that uses the SDK) and a device's privacy requests. Each costs PostgreSQL
// writes, and an export or deletion queues a job that scans every day partition of
// `events`: without limits one pk_ holder could loop register + delete and bury the privacy
// queue that every tenant shares.

const positive = z.coerce.number().int().positive();
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** The env shape of these limits (spread into the api's env). */
export const publicLimitsEnv = {
  /** Device registrations per pk_ key per minute (new installs of one app). */
  DEVICE_REGISTER_RPM: positive.default(300),
  /** Device registrations per client address per minute (many phones can share a carrier NAT address). */
  DEVICE_REGISTER_IP_RPM: positive.default(60),
  /** Registrations of one device id (of one app) per hour: an SDK registers once per install. */
  DEVICE_REGISTER_DEVICE_PER_HOUR: positive.default(10),
  /** New export or deletion requests per device per day (asking again for an open one is free). */
  PRIVACY_REQUESTS_PER_DAY: positive.default(5),
  /** New export or deletion requests per app (its pk_ key's devices together) per hour. */
  PRIVACY_APP_REQUESTS_PER_HOUR: positive.default(200),
  /** Privacy settings writes per device per minute. */
  PRIVACY_SETTINGS_WRITES_PER_MINUTE: positive.default(10),
  /** Calls to the privacy endpoints (settings, export, delete) per app per minute. */
  PRIVACY_APP_RPM: positive.default(1200),
};

export interface PublicLimitsConfig {
  registerPerKeyPerMinute: number;
  registerPerIpPerMinute: number;
  registerPerDevicePerHour: number;
  privacyRequestsPerDevicePerDay: number;
  privacyRequestsPerAppPerHour: number;
  settingsWritesPerDevicePerMinute: number;
  privacyCallsPerAppPerMinute: number;
}

export function publicLimitsConfig(env: {
  [K in keyof typeof publicLimitsEnv]: number;
}): PublicLimitsConfig {
  return {
    registerPerKeyPerMinute: env.DEVICE_REGISTER_RPM,
    registerPerIpPerMinute: env.DEVICE_REGISTER_IP_RPM,
    registerPerDevicePerHour: env.DEVICE_REGISTER_DEVICE_PER_HOUR,
    privacyRequestsPerDevicePerDay: env.PRIVACY_REQUESTS_PER_DAY,
    privacyRequestsPerAppPerHour: env.PRIVACY_APP_REQUESTS_PER_HOUR,
    settingsWritesPerDevicePerMinute: env.PRIVACY_SETTINGS_WRITES_PER_MINUTE,
    privacyCallsPerAppPerMinute: env.PRIVACY_APP_RPM,
  };
}

export interface PublicLimits {
  /** Before a registration: per key, per address, per device id. Throws RATE_LIMITED. */
  deviceRegistration(principal: Principal, ip: string, deviceId: unknown): Promise<void>;
  /** Before any privacy call of a device token: per app per minute. */
  privacyCall(principal: Principal): Promise<void>;
  /**
   * Before an export or deletion request: per device per day and per app per hour. The
   * returned refund gives the allowance back when the answer was a request already open.
   */
  privacyRequest(principal: Principal): Promise<() => Promise<void>>;
  /** Before a settings write: per device per minute. */
  settingsWrite(principal: Principal): Promise<void>;
}

/** `keyPrefix` holds the installation's REDIS_PREFIX (and a test's own namespace). */
export function createPublicLimits(redis: Redis, keyPrefix: string, config: PublicLimitsConfig): PublicLimits {
  const limiter = createSlidingWindowLimiter(redis, `${keyPrefix}:public-limits`);
  // A device is its app plus its stored id: a re-registered device keeps its allowance used.
  const device = (p: Principal) => `${p.appId ?? 'none'}:${p.deviceIdHash ?? p.deviceId ?? p.credentialId}`;
  const app = (p: Principal) => `${p.orgId}:${p.appId ?? 'none'}`;
  return {
    async deviceRegistration(principal, ip, deviceId) {
      const checks: LimitCheck[] = [
        {
          subject: `register:key:${principal.credentialId}`,
          limit: config.registerPerKeyPerMinute,
          windowSeconds: MINUTE,
          message: `too many device registrations for this key: at most ${config.registerPerKeyPerMinute} a minute (DEVICE_REGISTER_RPM)`,
        },
        {
          subject: `register:ip:${ip}`,
          limit: config.registerPerIpPerMinute,
          windowSeconds: MINUTE,
          message: `too many device registrations from this address: at most ${config.registerPerIpPerMinute} a minute (DEVICE_REGISTER_IP_RPM)`,
        },
      ];
      // An id the body check will refuse anyway costs nothing here; the raw id is capped so
      // a key stays small (the body schema allows 256 characters).
      if (typeof deviceId === 'string' && deviceId.trim() !== '') {
        checks.push({
          subject: `register:device:${principal.appId ?? 'none'}:${deviceId.trim().slice(0, 256)}`,
          limit: config.registerPerDevicePerHour,
          windowSeconds: HOUR,
          message: `too many registrations of this device id: at most ${config.registerPerDevicePerHour} an hour (DEVICE_REGISTER_DEVICE_PER_HOUR)`,
        });
      }
      await limiter.consume(checks);
    },
    async privacyCall(principal) {
      await limiter.consume([
        {
          subject: `privacy:app:${app(principal)}`,
          limit: config.privacyCallsPerAppPerMinute,
          windowSeconds: MINUTE,
          message: `too many privacy requests for this app: at most ${config.privacyCallsPerAppPerMinute} a minute (PRIVACY_APP_RPM)`,
        },
      ]);
    },
    async privacyRequest(principal) {
      const checks: LimitCheck[] = [
        {
          subject: `privacy-requests:device:${device(principal)}`,
          limit: config.privacyRequestsPerDevicePerDay,
          windowSeconds: DAY,
          message: `too many export or deletion requests for this device: at most ${config.privacyRequestsPerDevicePerDay} a day (PRIVACY_REQUESTS_PER_DAY)`,
        },
        {
          subject: `privacy-requests:app:${app(principal)}`,
          limit: config.privacyRequestsPerAppPerHour,
          windowSeconds: HOUR,
          message: `too many export or deletion requests for this app: at most ${config.privacyRequestsPerAppPerHour} an hour (PRIVACY_APP_REQUESTS_PER_HOUR)`,
        },
      ];
      await limiter.consume(checks);
      return () => limiter.refund(checks);
    },
    async settingsWrite(principal) {
      await limiter.consume([
        {
          subject: `settings:device:${device(principal)}`,
          limit: config.settingsWritesPerDevicePerMinute,
          windowSeconds: MINUTE,
          message: `too many privacy settings changes for this device: at most ${config.settingsWritesPerDevicePerMinute} a minute (PRIVACY_SETTINGS_WRITES_PER_MINUTE)`,
        },
      ]);
    },
  };
}
