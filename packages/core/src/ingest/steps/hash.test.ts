import { describe, expect, it } from 'vitest';
import { hashDeviceId } from '../../tenancy/devices.ts';
import { app, principal } from './fixtures.ts';
import { sentryDeviceId, storedDeviceId } from './hash.ts';

describe('hash step', () => {
  it('never stores the device id as sent; a device token’s own device wins', () => {
    const stored = storedDeviceId(principal, app, 'phone-1');
    expect(stored).toBe(hashDeviceId(app.deviceIdSalt, 'phone-1'));
    expect(stored).not.toContain('phone-1');
    expect(storedDeviceId({ ...principal, deviceIdHash: 'abc' }, app, 'phone-1')).toBe('abc');
  });

  it('gives Sentry users and anonymous addresses devices no registered id can reach', () => {
    const user = sentryDeviceId(app, '203.0.113.50', 'phone-1');
    const address = sentryDeviceId(app, '203.0.113.50', undefined);
    expect(new Set([user, address, storedDeviceId(principal, app, 'phone-1')]).size).toBe(3);
    expect(sentryDeviceId(app, '198.51.100.1', 'phone-1')).toBe(user);
  });
});
